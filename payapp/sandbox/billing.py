"""자동결제 (billing): the billing-auth window's outcome, billing keys and charges.

Toss's flow (toss-api.md §2.6, §7.2; the official sample's /issue-billing-key and
/confirm-billing): ``payment({customerKey}).requestBillingAuth({method: 'CARD'|'TRANSFER',
successUrl, failUrl})`` opens the window; 승인 redirects to ``successUrl?customerKey=…&authKey=…``;
the merchant's server trades the one-time authKey for a billing key
(``POST /v1/billing/authorizations/issue {authKey, customerKey}`` → Billing object) and charges
it whenever it likes (``POST /v1/billing/{billingKey}`` → a Payment, ``type: "BILLING"``, DONE at
once, no webhook). ``DELETE /v1/billing/{billingKey}`` removes the key.
"""

from __future__ import annotations

import re
import secrets

from . import transactions
from .config import KeyPair
from .errors import SandboxError, message
from .jsontypes import Internal, JSONObject, Options, Payment, PaymentRecord
from .methods import card_object
from .payment_object import ORDER_ID_RE, iso, new_payment, new_payment_key, parse_amount
from .payments import Ledger
from .status import move

BILLING_METHODS = {"CARD": "카드", "카드": "카드", "TRANSFER": "계좌이체", "계좌이체": "계좌이체"}
CUSTOMER_KEY_RE = re.compile(r"^[A-Za-z0-9_=.@-]{2,300}$")
ISSUER_NAMES = {
    "11": "국민",
    "21": "하나",
    "31": "비씨",
    "41": "신한",
    "51": "삼성",
    "61": "현대",
    "71": "롯데",
    "91": "농협",
    "W1": "우리",
    "15": "카카오뱅크",
    "24": "토스뱅크",
}


def _customer_key(value: object) -> str:
    if not isinstance(value, str) or not CUSTOMER_KEY_RE.match(value) or value == "@@ANONYMOUS":
        raise SandboxError(
            "INVALID_REQUEST",
            "customerKey: 영문, 숫자, -_=.@ 로 2자 이상 300자 이하",
            detail_en="customerKey: 2 to 300 letters, digits or -_=.@",
        )
    return value


def check_request(pair: KeyPair, params: JSONObject) -> tuple[str, str]:
    """A billing-auth window request as the SDK sends it; returns (customerKey, Payment.method)."""
    if pair.is_widget:
        raise SandboxError("NOT_SUPPORTED_WIDGET_KEY")
    method = BILLING_METHODS.get(params.get("method") or "CARD")
    if method is None:
        raise SandboxError("NOT_SUPPORTED_METHOD", "method: CARD 또는 TRANSFER", detail_en="method: CARD or TRANSFER")
    return _customer_key(params.get("customerKey")), method


async def open_auth(ledger: Ledger, pair: KeyPair, params: JSONObject) -> str:
    """The buyer opened the billing-auth window: a session to approve; returns its key."""
    customer_key, method = check_request(pair, params)
    session = "bas_" + secrets.token_urlsafe(18)
    await ledger.store.put_record(
        "billing-window",
        session,
        {
            "clientKey": pair.client_key,
            "customerKey": customer_key,
            "method": method,
            "successUrl": params.get("successUrl"),
            "failUrl": params.get("failUrl"),
            "createdAt": await ledger.now(),
        },
    )
    return session


async def auth_outcome(ledger: Ledger, session: str, outcome: str) -> tuple[JSONObject, dict[str, str]]:
    """The buyer chose in the billing-auth window: (session, redirect query parameters)."""
    record = await ledger.store.take_record("billing-window", session)
    now = await ledger.now()
    if record is None or now >= record["createdAt"] + ledger.config.window_ttl:
        raise SandboxError("NOT_FOUND_PAYMENT_SESSION")
    if outcome == "approve":
        auth_key = "bln_" + secrets.token_urlsafe(30)
        await ledger.store.put_record(
            "billing-auth",
            auth_key,
            {
                "clientKey": record["clientKey"],
                "customerKey": record["customerKey"],
                "method": record["method"],
                "createdAt": now,
            },
        )
        return record, {"customerKey": record["customerKey"], "authKey": auth_key}
    if outcome not in ("reject", "cancel"):
        raise SandboxError(
            "INVALID_REQUEST", "outcome: approve | reject | cancel", detail_en="outcome: approve | reject | cancel"
        )
    code = (
        "PAY_PROCESS_CANCELED"
        if outcome == "cancel"
        else ("REJECT_CARD_COMPANY" if record["method"] == "카드" else "PAY_PROCESS_ABORTED")
    )
    return record, {"code": code, "message": message(code)}


async def issue(ledger: Ledger, pair: KeyPair, body: JSONObject) -> JSONObject:
    """``POST /v1/billing/authorizations/issue``: a one-time authKey for a billing key."""
    auth_key, customer_key = body.get("authKey"), _customer_key(body.get("customerKey"))
    if not isinstance(auth_key, str) or not 1 <= len(auth_key) <= 300:
        raise SandboxError("INVALID_REQUEST", "authKey: 1자 이상 300자 이하", detail_en="authKey: 1 to 300 characters")
    auth = await ledger.store.get_record("billing-auth", auth_key)
    now = await ledger.now()
    if auth is None or auth["clientKey"] != pair.client_key or now >= auth["createdAt"] + ledger.config.window_ttl:
        raise SandboxError("NOT_FOUND_BILLING")
    if auth["customerKey"] != customer_key:
        raise SandboxError("NOT_MATCHES_CUSTOMER_KEY")
    if await ledger.store.take_record("billing-auth", auth_key) is None:  # used meanwhile
        raise SandboxError("NOT_FOUND_BILLING")
    billing_key = secrets.token_urlsafe(33)
    card = card_object(None, 0, pair.is_test, {}) if auth["method"] == "카드" else None
    billing = {
        "mId": pair.mid,
        "customerKey": customer_key,
        "authenticatedAt": iso(now),
        "method": auth["method"],
        "billingKey": billing_key,
        "card": None
        if card is None
        else {k: card[k] for k in ("issuerCode", "acquirerCode", "number", "cardType", "ownerType")},
        "cardCompany": None if card is None else ISSUER_NAMES.get(card["issuerCode"]),
        "cardNumber": None if card is None else card["number"],
        "transfers": None
        if card is not None
        else [{"bankCode": "92", "bankName": "토스뱅크", "bankAccountNumber": "100*****" + _digits(4)}],
    }
    await ledger.store.put_record("billing", billing_key, {"clientKey": pair.client_key, "billing": billing})
    return billing


def _digits(n: int) -> str:
    return "".join(str(b % 10) for b in secrets.token_bytes(n))


async def _billing(ledger: Ledger, pair: KeyPair, billing_key: str) -> JSONObject:
    rec = await ledger.store.get_record("billing", billing_key)
    if rec is None or rec["clientKey"] != pair.client_key:
        raise SandboxError("NOT_FOUND_BILLING")
    billing: JSONObject = rec["billing"]
    return billing


async def charge(ledger: Ledger, pair: KeyPair, billing_key: str, body: JSONObject) -> Payment:
    """``POST /v1/billing/{billingKey}``: a Payment of type BILLING, approved at once."""
    amount = parse_amount(body.get("amount"))
    if amount is None or amount <= 0:
        raise SandboxError("INVALID_REQUEST", "amount: 0보다 큰 정수", detail_en="amount: an integer above 0")
    order_id, order_name = body.get("orderId"), body.get("orderName")
    if not isinstance(order_id, str) or not ORDER_ID_RE.match(order_id):
        raise SandboxError(
            "INVALID_REQUEST",
            "orderId: 영문 대소문자, 숫자, -, _, = 로 6자 이상 64자 이하",
            detail_en="orderId: 6 to 64 letters, digits, -, _ or =",
        )
    if not isinstance(order_name, str) or not 1 <= len(order_name) <= 100:
        raise SandboxError(
            "INVALID_REQUEST", "orderName: 1자 이상 100자 이하", detail_en="orderName: 1 to 100 characters"
        )
    customer_key = _customer_key(body.get("customerKey"))
    options: Options = {}
    for name in ("taxFreeAmount", "taxExemptionAmount"):
        if body.get(name) is not None:
            value = parse_amount(body[name])
            if value is None or not 0 <= value <= amount:
                raise SandboxError(
                    "INVALID_REQUEST", f"{name}: 0 이상 결제 금액 이하", detail_en=f"{name}: 0 to the amount"
                )
            options[name] = value
    billing = await _billing(ledger, pair, billing_key)
    if billing["customerKey"] != customer_key:
        raise SandboxError("NOT_MATCHES_CUSTOMER_KEY")
    async with ledger.store.lock(f"order:{pair.mid}:{order_id}"):
        if await ledger.order_is_paid(pair.mid, order_id):
            raise SandboxError("DUPLICATED_ORDER_ID")
        now = await ledger.now()
        payment_key = new_payment_key(pair, now)
        p = new_payment(
            pair,
            ledger.config.api_base_for_urls,
            payment_key,
            order_id,
            order_name,
            amount,
            billing["method"],
            now,
            options,
            kind="BILLING",
        )
        move(p, "DONE")
        tx = secrets.token_hex(16).upper()
        p.update(
            approvedAt=iso(now),
            lastTransactionKey=tx,
            receipt={"url": f"{ledger.config.receipt_base}/receipt/redirection?transactionId={payment_key}&ref=PX"},
        )
        if billing["card"]:
            p["card"] = {
                **card_object(billing["card"]["issuerCode"], amount, pair.is_test, {}),
                "number": billing["card"]["number"],
            }
        else:
            p["transfer"] = {"bankCode": billing["transfers"][0]["bankCode"], "settlementStatus": "INCOMPLETED"}
        internal: Internal = {
            "createdAt": now,
            "authenticatedAt": now,
            "clientKey": pair.client_key,
            "successUrl": None,
            "failUrl": None,
            "customerName": body.get("customerName"),
            "customerEmail": body.get("customerEmail"),
            "customerKey": customer_key,
            "billingKey": billing_key,
            "approvalTransactionKey": tx,
        }
        record: PaymentRecord = {"payment": p, "internal": internal}
        # Toss sends no webhook for a billing approval (toss-api.md §2.6, §8.2).
        await ledger._save(record, now, changed=False, transaction=transactions.approval(p, customer_key))
        return p


async def delete(ledger: Ledger, pair: KeyPair, billing_key: str) -> None:
    """``DELETE /v1/billing/{billingKey}``: the key charges nothing any more."""
    await _billing(ledger, pair, billing_key)
    await ledger.store.take_record("billing", billing_key)


__all__ = ["open_auth", "auth_outcome", "issue", "charge", "delete", "check_request"]
