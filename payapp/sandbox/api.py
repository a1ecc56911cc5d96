"""The Toss core REST API (v1) as the sandbox serves it: each operation reads its request and
calls the ledger (or billing); ``endpoint`` runs it through faults, auth, the test code and
idempotency, and logs it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from . import billing
from .appstate import ledger_of
from .config import KeyPair
from .endpoint import endpoint
from .errors import SandboxError
from .http import json_body
from .jsontypes import JSONObject, Payment, PaymentRecord, Refusal
from .payment_object import ORDER_ID_RE, parse_amount
from .transactions import parse_query


def _public(record: PaymentRecord) -> Payment:
    payment: Payment = record["payment"]
    return payment


async def _confirm(request: Request, pair: KeyPair) -> Payment:
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
    ledger = ledger_of(request)
    refusal: Refusal | None = request.scope.get("sandbox.refusal")  # a sticky fault refuses it for real
    return _public(await ledger.confirm(pair, payment_key, order_id, amount, refusal))


async def _get_by_key(request: Request, pair: KeyPair) -> Payment:
    return _public(await ledger_of(request).load(request.path_params["paymentKey"], pair))


async def _get_by_order(request: Request, pair: KeyPair) -> Payment:
    return _public(await ledger_of(request).load_by_order(request.path_params["orderId"], pair))


async def _cancel(request: Request, pair: KeyPair) -> Payment:
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
        value = None if raw is None else parse_amount(raw)
        if raw is not None and (value is None or value < 0):
            raise SandboxError(
                "INVALID_REQUEST", f"{name}는 0 이상의 정수입니다", detail_en=f"{name} must be an integer of 0 or more"
            )
        amounts[name] = value
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
    ledger = ledger_of(request)
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


async def _transactions(request: Request, pair: KeyPair) -> list[JSONObject]:
    start, end, after, limit = parse_query(request.query_params)
    return await ledger_of(request).transactions(pair, start, end, after, limit)


async def _billing_issue(request: Request, pair: KeyPair) -> JSONObject:
    return await billing.issue(ledger_of(request), pair, await json_body(request))


async def _billing_charge(request: Request, pair: KeyPair) -> Payment:
    return await billing.charge(ledger_of(request), pair, request.path_params["billingKey"], await json_body(request))


async def _billing_delete(request: Request, pair: KeyPair) -> None:
    await billing.delete(ledger_of(request), pair, request.path_params["billingKey"])


routes = [
    Route("/v1/payments/confirm", endpoint(_confirm, refusable=True), methods=["POST"]),
    Route("/v1/payments/orders/{orderId}", endpoint(_get_by_order), methods=["GET"]),
    Route("/v1/payments/{paymentKey}", endpoint(_get_by_key), methods=["GET"]),
    Route("/v1/payments/{paymentKey}/cancel", endpoint(_cancel), methods=["POST"]),
    Route("/v1/transactions", endpoint(_transactions), methods=["GET"]),
    Route("/v1/billing/authorizations/issue", endpoint(_billing_issue), methods=["POST"]),
    Route("/v1/billing/{billingKey}", endpoint(_billing_charge), methods=["POST"]),
    Route("/v1/billing/{billingKey}", endpoint(_billing_delete), methods=["DELETE"]),
]
