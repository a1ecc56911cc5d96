"""The Toss core REST API (v1) as the sandbox serves it.

Every call passes, in order: fault errors (they stand for the network, so they come
first and are never remembered), Basic auth, ``TossPayments-Test-Code``,
``Idempotency-Key``, fault latency, then the ledger. Each call is written to the request log.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import billing
from .config import KeyPair
from .errors import CATALOG, SandboxError
from .http import JSON, authenticate, english, json_body, route_path
from .payment_object import ORDER_ID_RE, iso, parse_amount
from .transactions import parse_query

Op = Callable[[Request, KeyPair], Awaitable[dict | list | None]]
log = logging.getLogger("payapp.sandbox")
# A run's token: random per process, then a counter (unique across workers and restarts,
# and cheaper than fresh random bytes per request). Forked workers draw their own prefix.
_RUN_PREFIX = secrets.token_hex(8) + "-"
_RUN_SEQ = itertools.count()


def _new_run_prefix() -> None:
    global _RUN_PREFIX
    _RUN_PREFIX = secrets.token_hex(8) + "-"


os.register_at_fork(after_in_child=_new_run_prefix)


def _public(record: dict) -> dict:
    return record["payment"]


async def _confirm(request: Request, pair: KeyPair) -> dict:
    body = await json_body(request)
    payment_key, order_id = body.get("paymentKey"), body.get("orderId")
    amount = parse_amount(body.get("amount"))
    if not isinstance(payment_key, str) or not 1 <= len(payment_key) <= 200:
        raise SandboxError(
            "INVALID_REQUEST",
            "paymentKey는 1자 이상 200자 이하의 문자열로 필수입니다",
            detail_en="paymentKey is required: a string of 1 to 200 characters",
        )
    if not isinstance(order_id, str) or not ORDER_ID_RE.match(order_id):
        raise SandboxError(
            "INVALID_REQUEST",
            "orderId는 6자 이상 64자 이하의 영문, 숫자, -, _ 입니다",
            detail_en="orderId is required: 6 to 64 letters, digits, - or _",
        )
    if amount is None or amount < 0:
        raise SandboxError(
            "INVALID_REQUEST", "amount는 0 이상의 정수입니다", detail_en="amount is required: an integer of 0 or more"
        )
    ledger = request.app.state.ledger
    refusal = request.scope.get("sandbox.refusal")
    return _public(await ledger.confirm(pair, payment_key, order_id, amount, refusal))


_confirm.refusable = True  # type: ignore[attr-defined]  # a sticky fault refuses the confirm for real


async def _get_by_key(request: Request, pair: KeyPair) -> dict:
    return _public(await request.app.state.ledger.load(request.path_params["paymentKey"], pair))


async def _get_by_order(request: Request, pair: KeyPair) -> dict:
    return _public(await request.app.state.ledger.load_by_order(request.path_params["orderId"], pair))


async def _cancel(request: Request, pair: KeyPair) -> dict:
    body = await json_body(request)
    reason = body.get("cancelReason")
    if not isinstance(reason, str) or not 1 <= len(reason) <= 200:
        raise SandboxError(
            "INVALID_REQUEST",
            "cancelReason은 1자 이상 200자 이하로 필수입니다",
            detail_en="cancelReason is required: 1 to 200 characters",
        )
    amounts: dict[str, int | None] = {}
    for name in ("cancelAmount", "refundableAmount", "taxFreeAmount"):
        raw = body.get(name)
        amounts[name] = None if raw is None else parse_amount(raw)
        if raw is not None and (amounts[name] is None or amounts[name] < 0):
            raise SandboxError(
                "INVALID_REQUEST", f"{name}는 0 이상의 정수입니다", detail_en=f"{name} must be an integer of 0 or more"
            )
    if amounts["cancelAmount"] == 0:
        raise SandboxError(
            "INVALID_REQUEST", "cancelAmount는 0보다 커야 합니다", detail_en="cancelAmount must be above 0"
        )
    if body.get("currency") not in (None, "KRW"):
        raise SandboxError(
            "INVALID_REQUEST",
            "currency는 승인된 통화(KRW)와 같아야 합니다",
            detail_en="currency must be the approved currency (KRW)",
        )
    ledger = request.app.state.ledger
    record = await ledger.cancel(
        pair,
        request.path_params["paymentKey"],
        reason,
        amounts["cancelAmount"],
        amounts["refundableAmount"],
        amounts["taxFreeAmount"],
        body.get("refundReceiveAccount"),
    )
    return _public(record)


async def _transactions(request: Request, pair: KeyPair) -> list[dict]:
    start, end, after, limit = parse_query(request.query_params)
    return await request.app.state.ledger.transactions(pair, start, end, after, limit)


async def _billing_issue(request: Request, pair: KeyPair) -> dict:
    return await billing.issue(request.app.state.ledger, pair, await json_body(request))


async def _billing_charge(request: Request, pair: KeyPair) -> dict:
    return await billing.charge(
        request.app.state.ledger, pair, request.path_params["billingKey"], await json_body(request)
    )


async def _billing_delete(request: Request, pair: KeyPair) -> None:
    await billing.delete(request.app.state.ledger, pair, request.path_params["billingKey"])


def _scope_key(request: Request, pair: KeyPair, idem_key: str) -> str:
    # Toss's scope: (key, secret key, method, path). The decoded secret key, not the raw
    # header, so padded and unpadded Basic values of one key share a scope.
    raw = "\0".join((idem_key, pair.secret_key, request.method, route_path(request)))
    return hashlib.sha256(raw.encode()).hexdigest()


async def _hang_until_gone(request: Request, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not await request.is_disconnected():
        await asyncio.sleep(0.05)


def endpoint(op: Op) -> Callable[[Request], Awaitable[JSON]]:
    async def handle(request: Request) -> JSON:
        app_state = request.app.state
        store, config = app_state.store, app_state.config
        path = route_path(request)
        entry: dict = {
            "at": iso(time.time()),
            "method": request.method,
            "path": path,
            "idempotencyKey": request.headers.get("idempotency-key"),
            "replayed": False,
            "fault": None,
            "mId": None,
        }
        lost = False
        try:
            step = await store.take_fault(request.method, path) if store.may_have_faults() else None
            if step:
                entry["fault"] = step
                if step.get("sticky"):
                    # Toss's own refusal, not the network's: past auth and into the
                    # idempotent section, where the operation may record it (a confirm
                    # leaves the payment ABORTED) and the answer is kept under the key.
                    request.scope["sandbox.refusal"] = {"errorCode": step["errorCode"], "status": step.get("status")}
                elif step.get("errorCode"):
                    if step.get("latencyMs"):  # a slow failure: wait, then fail
                        await asyncio.sleep(step["latencyMs"] / 1000)
                    raise SandboxError(step["errorCode"], status=step.get("status"))
                lost = bool(step.get("lostResponse"))
            pair = authenticate(request, config)
            entry["mId"] = pair.mid
            test_code = request.headers.get("tosspayments-test-code")
            if test_code and pair.is_test:
                raise SandboxError(test_code, status=None if test_code in CATALOG else 400)
            latency = (step or {}).get("latencyMs")
            status, body = await _idempotent(request, op, pair, entry, latency)
        except SandboxError as err:
            status, body = err.status, err.body(english(request))
        entry["status"] = status
        entry["code"] = body.get("code") if status >= 400 and isinstance(body, dict) else None
        if request.method == "POST":
            entry["body"] = await _logged_body(request)
        await store.log_request(entry)
        if lost:
            await _hang_until_gone(request, config.lost_response_hang)
        headers = {"X-Sandbox-Idempotent-Replay": "true"} if entry["replayed"] else None
        if body is None:  # DELETE /v1/billing/{billingKey}: 200 with an empty body
            return Response(b"", status_code=status, headers=headers)
        return JSON(body, status_code=status, headers=headers)

    return handle


async def _logged_body(request: Request) -> dict | None:
    try:
        return await json_body(request)
    except SandboxError:
        return None


async def _idempotent(
    request: Request, op: Op, pair: KeyPair, entry: dict, latency_ms: float | None
) -> tuple[int, dict | list]:
    store, config = request.app.state.store, request.app.state.config
    idem_key = request.headers.get("idempotency-key") if request.method == "POST" else None
    if idem_key is None:
        return await _run(request, op, pair, latency_ms)
    if len(idem_key) > 300 or not idem_key:
        raise SandboxError("INVALID_IDEMPOTENCY_KEY")
    scope = _scope_key(request, pair, idem_key)
    now = await request.app.state.ledger.now()
    # The run holds the key under a token of its own for ``hold`` real seconds and renews
    # the hold while it runs, so that the key is never run twice while its first run is
    # alive, however slow, and a worker dying mid-request frees it after ``hold``. The
    # sandbox clock does not touch the hold; the answer is then kept 15 days (sandbox clock).
    hold, token = config.idempotency_processing_ttl, f"{_RUN_PREFIX}{next(_RUN_SEQ)}"
    state, saved = await store.idem_begin(scope, token, now, hold)
    if state == "processing":
        raise SandboxError("IDEMPOTENT_REQUEST_PROCESSING")
    if state == "done":
        entry["replayed"] = True
        return saved["status"], saved["body"]
    renewal = _Renewal(store, scope, token, hold)
    try:
        status, body = await _run(request, op, pair, latency_ms)
    except BaseException:
        renewal.stop()
        await store.idem_abort(scope, token)
        raise
    renewal.stop()
    if not await store.idem_finish(
        scope, token, {"status": status, "body": body}, now + config.idempotency_ttl, config.idempotency_ttl
    ):
        # The hold ran out under it (a stalled process): this answer is not the key's.
        log.warning("Idempotency-Key %r lost its hold while running; its answer is not kept", idem_key)
    return status, body


class _Renewal:
    """Renews a running request's hold every third of it, on the real clock.

    A timer, not a task: most requests end long before the first renewal is due, and then
    cost one ``call_later`` and one ``cancel``.
    """

    __slots__ = ("_store", "_scope", "_token", "_hold", "_loop", "_timer", "_task", "_stopped")

    def __init__(self, store, scope: str, token: str, hold: int):
        self._store, self._scope, self._token, self._hold = store, scope, token, hold
        self._loop = asyncio.get_running_loop()
        self._stopped = False
        self._task: asyncio.Task | None = None
        self._timer = self._loop.call_later(hold / 3, self._due)

    def _due(self) -> None:
        self._task = self._loop.create_task(self._renew())

    async def _renew(self) -> None:
        try:
            held = await self._store.idem_renew(self._scope, self._token, self._hold)
        except Exception:  # e.g. Redis briefly unreachable: the next renewal may still make it
            log.exception("renewing an Idempotency-Key hold failed")
            held = True
        if held and not self._stopped:
            self._timer = self._loop.call_later(self._hold / 3, self._due)

    def stop(self) -> None:
        # A renewal already in flight is left to finish: it is a compare-and-set on this
        # run's token, so it cannot touch the key once the run has finished or aborted.
        self._stopped = True
        self._timer.cancel()


async def _run(request: Request, op: Op, pair: KeyPair, latency_ms: float | None) -> tuple[int, dict | list]:
    # Latency stands for a slow Toss: it runs inside the idempotent section, so a
    # second request with the same key meanwhile gets 409.
    if latency_ms:
        await asyncio.sleep(latency_ms / 1000)
    try:
        refusal = request.scope.get("sandbox.refusal")
        if refusal is not None and not getattr(op, "refusable", False):
            raise SandboxError(refusal["errorCode"], status=refusal["status"])
        return 200, await op(request, pair)
    except SandboxError as err:
        return err.status, err.body(english(request))


routes = [
    Route("/v1/payments/confirm", endpoint(_confirm), methods=["POST"]),
    Route("/v1/payments/orders/{orderId}", endpoint(_get_by_order), methods=["GET"]),
    Route("/v1/payments/{paymentKey}", endpoint(_get_by_key), methods=["GET"]),
    Route("/v1/payments/{paymentKey}/cancel", endpoint(_cancel), methods=["POST"]),
    Route("/v1/transactions", endpoint(_transactions), methods=["GET"]),
    Route("/v1/billing/authorizations/issue", endpoint(_billing_issue), methods=["POST"]),
    Route("/v1/billing/{billingKey}", endpoint(_billing_charge), methods=["POST"]),
    Route("/v1/billing/{billingKey}", endpoint(_billing_delete), methods=["DELETE"]),
]
