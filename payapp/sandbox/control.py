"""The sandbox's own control API under ``/_sandbox/``: what tests and scripts drive.

Not part of Toss. Documented in the README ("Sandbox"). Here: the headless buyer, deposits,
reset, the payment and request lists, the clock, and every route; faults and webhook targets
have a file each (``control_faults``, ``control_webhooks``).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.routing import Route

from . import billing
from .appstate import config_of, ledger_of, store_of, webhooks_of
from .config import KeyPair
from .control_faults import faults
from .control_webhooks import webhook_deliveries, webhook_flush, webhooks
from .errors import SandboxError
from .http import JSON, english, json_body, own_url
from .jsontypes import JSONObject
from .payment_object import iso, parse_amount, with_query
from .payments import Ledger

OUTCOMES = ("approve", "reject", "cancel")


Handler = Callable[[Request], Awaitable[JSON]]


def control(handler: Handler) -> Handler:
    """A control endpoint: a :class:`SandboxError` it raises is answered as ``{code, message}``."""

    async def wrapped(request: Request) -> JSON:
        try:
            return await handler(request)
        except SandboxError as err:
            return JSON(err.body(english(request)), status_code=err.status)

    return wrapped


def landing_url(request: Request, kind: str) -> str:
    return own_url(request, "landing", kind=kind)


async def authorize(request: Request) -> JSON:
    """The headless buyer: open the window and choose an outcome in one call."""
    body = await json_body(request)
    ledger = ledger_of(request)
    pair = config_of(request).pair_by_client(str(body.get("clientKey", "")))
    if pair is None:
        raise SandboxError("UNAUTHORIZED_KEY")
    outcome = body.get("outcome", "approve")
    if outcome not in OUTCOMES:
        raise SandboxError(
            "INVALID_REQUEST", "outcome: approve | reject | cancel", detail_en="outcome: approve | reject | cancel"
        )
    params: JSONObject = dict(body)
    params.setdefault("successUrl", landing_url(request, "success"))
    params.setdefault("failUrl", landing_url(request, "fail"))
    if body.get("billing"):
        return await _authorize_billing(ledger, pair, params, outcome)
    bank = params.get("bank")
    record, query = await ledger.authorize(pair, params, outcome, {"bank": bank} if bank else None)
    p = record["payment"]
    target = params["successUrl"] if outcome == "approve" else params["failUrl"]
    out = {
        "paymentKey": p["paymentKey"],
        "orderId": p["orderId"],
        "amount": p["totalAmount"],
        "status": p["status"],
        "redirectUrl": with_query(target, query),
    }
    if outcome != "approve":
        out.update(code=query["code"], message=query["message"])
    return JSON(out)


async def _authorize_billing(ledger: Ledger, pair: KeyPair, params: JSONObject, outcome: str) -> JSON:
    """The headless buyer of a billing-auth window (자동결제 등록)."""
    session = await billing.open_auth(ledger, pair, params)
    record, query = await billing.auth_outcome(ledger, session, outcome)
    target = params["successUrl"] if outcome == "approve" else params["failUrl"]
    return JSON({**query, "customerKey": record["customerKey"], "redirectUrl": with_query(target, query)})


async def deposit(request: Request) -> JSON:
    """The buyer pays into a 가상계좌: WAITING_FOR_DEPOSIT → DONE, with DEPOSIT_CALLBACK."""
    body = await json_body(request)
    amount = None
    if body.get("amount") is not None:
        amount = parse_amount(body["amount"])
        if amount is None or amount <= 0:
            raise SandboxError("INVALID_REQUEST", "amount: 0보다 큰 정수", detail_en="amount: an integer above 0")
    record = await ledger_of(request).deposit(request.path_params["paymentKey"], amount)
    return JSON(record["payment"])


async def reset(request: Request) -> JSON:
    webhooks_of(request).cancel_all()
    await store_of(request).reset()
    return JSON({"ok": True})


async def payments(request: Request) -> JSON:
    records = await store_of(request).list_payments()
    data = [r["payment"] for r in records]
    if order_id := request.query_params.get("orderId"):
        data = [p for p in data if p["orderId"] == order_id]
    data.sort(key=lambda p: p["requestedAt"])
    return JSON({"data": data, "count": len(data)})


async def requests_log(request: Request) -> JSON:
    data = await store_of(request).requests()
    for name in ("path", "method"):
        if value := request.query_params.get(name):
            data = [e for e in data if e[name] == (value.upper() if name == "method" else value)]
    return JSON({"data": data, "count": len(data)})


async def clock(request: Request) -> JSON:
    store = store_of(request)
    if request.method == "POST":
        body = await json_body(request)
        seconds = body.get("advanceSeconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise SandboxError(
                "INVALID_REQUEST", "advanceSeconds: 0 이상의 숫자", detail_en="advanceSeconds: a number of 0 or more"
            )
        offset = await store.advance_clock(float(seconds))
        await ledger_of(request).expire_due()  # EXPIRED webhooks go out now, not on next access
        webhooks_of(request).send_due_later()  # retries whose time has come, in the background
    else:
        offset = await store.clock_offset()
    now = await ledger_of(request).now()
    return JSON({"offsetSeconds": offset, "now": iso(now)})


async def idempotency(request: Request) -> JSON:
    """How many Idempotency-Keys a running request holds, and how many keep an answer."""
    return JSON(await store_of(request).idem_counts(await ledger_of(request).now()))


async def health(request: Request) -> JSON:
    # pid: lets tests see that several worker processes answer.
    return JSON({"ok": True, "service": "toss-sandbox", "pid": os.getpid()})


# What a buyer's browser (and a health probe) needs: always served.
public_routes = [
    Route("/_sandbox/authorize", control(authorize), methods=["POST"]),
    Route("/_sandbox/health", control(health), methods=["GET"]),
]
# The control API proper: served only with SandboxConfig(control=True).
control_routes = [
    Route("/_sandbox/reset", control(reset), methods=["POST"]),
    Route("/_sandbox/payments", control(payments), methods=["GET"]),
    Route("/_sandbox/payments/{paymentKey}/deposit", control(deposit), methods=["POST"]),
    Route("/_sandbox/requests", control(requests_log), methods=["GET"]),
    Route("/_sandbox/clock", control(clock), methods=["GET", "POST"]),
    Route("/_sandbox/faults", control(faults), methods=["GET", "POST", "DELETE"]),
    Route("/_sandbox/webhooks", control(webhooks), methods=["GET", "POST", "DELETE"]),
    Route("/_sandbox/webhooks/deliveries", control(webhook_deliveries), methods=["GET"]),
    Route("/_sandbox/webhooks/flush", control(webhook_flush), methods=["POST"]),
    Route("/_sandbox/idempotency", control(idempotency), methods=["GET"]),
]
routes = [*public_routes, *control_routes]
