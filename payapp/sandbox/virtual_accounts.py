"""가상계좌 (virtual accounts): issue at confirm, deposit, due date, cancel and refund rules.

As Toss documents and shows them (toss-api.md §2.3, §3.1, §3.3, §13):

- confirm of a 가상계좌 answers ``WAITING_FOR_DEPOSIT`` with ``approvedAt: null``, a ``secret``
  (``ps_…``), a ``lastTransactionKey`` and ``virtualAccount{accountType, accountNumber (test
  accounts start with X), bankCode, customerName, dueDate (+09:00), refundStatus, expired,
  settlementStatus, refundReceiveAccount, depositorName}``; the transaction list gets a
  ``WAITING_FOR_DEPOSIT`` row for 0 (nothing was paid yet, as in a real listing);
- a deposit (the sandbox's ``POST /_sandbox/payments/{paymentKey}/deposit``) makes it ``DONE``
  with ``approvedAt`` and a ``DONE`` row for the whole amount;
- the due date passing turns ``virtualAccount.expired`` true and changes nothing else: the
  status stays ``WAITING_FOR_DEPOSIT``, no webhook;
- before the deposit only a full cancel is allowed (``NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT``)
  and needs no refund account; after it every cancel needs ``refundReceiveAccount{bank,
  accountNumber, holderName}`` (``INVALID_BANK``, ``INVALID_REFUND_ACCOUNT_NUMBER``,
  ``INVALID_REFUND_ACCOUNT_INFO``).
"""

from __future__ import annotations

import math
import os
import re
import secrets

from . import transactions
from .errors import SandboxError
from .institutions import BANKS, bank_code
from .jsontypes import JSONObject, Options, Payment, PaymentRecord
from .methods import cash_receipt, rand_digits
from .payment_object import iso
from .status import move

_SECRET_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_ACCOUNT_NUMBER = re.compile(r"^\d{1,20}$")
DEFAULT_BANK = "20"  # 우리


def _secret() -> str:
    return "ps_" + bytes(_SECRET_ALPHABET[b % 62] for b in os.urandom(27)).decode()


def check_due(options: Options, now: float, max_hours: int) -> None:
    """A ``dueDate`` in the past, or further than ``max_hours``, is refused when the window opens."""
    due = options.get("dueDate")
    if due is None:
        return
    if due <= now:
        raise SandboxError(
            "INVALID_DATE", "dueDate: 현재 시각 이후여야 합니다", detail_en="dueDate: must be in the future"
        )
    if due > now + max_hours * 3600:
        raise SandboxError("EXCEED_MAX_DUE_DATE")


def issue(
    record: PaymentRecord,
    now: float,
    is_test: bool,
    default_hours: int,
    receipt_base: str,
) -> JSONObject:
    """Issue the account of a confirmed 가상계좌 payment; returns its transaction row."""
    p, internal = record["payment"], record["internal"]
    options = internal.get("options") or {}
    due = options.get("dueDate") or now + options.get("validHours", default_hours) * 3600
    internal["dueAt"] = due
    move(p, "WAITING_FOR_DEPOSIT")
    tx = secrets.token_hex(16).upper()
    number = rand_digits(13)
    p.update(
        lastTransactionKey=tx,
        approvedAt=None,
        secret=_secret(),
        receipt={"url": f"{receipt_base}/receipt/payment-detail/bank-transfer?transactionId={p['paymentKey']}"},
        virtualAccount={
            "accountType": "일반",
            "accountNumber": ("X" + number) if is_test else number,
            "bankCode": internal.get("bank") or DEFAULT_BANK,
            "customerName": internal.get("customerName") or "구매자",
            "depositorName": None,
            "dueDate": iso(due),
            "refundStatus": "NONE",
            "expired": False,
            "settlementStatus": "INCOMPLETED",
            "refundReceiveAccount": None,
        },
    )
    return transactions.row(p, tx, "WAITING_FOR_DEPOSIT", iso(now), 0)


def refresh_expired(record: PaymentRecord, now: float) -> bool:
    """Mark a waiting account whose due date has passed as expired; True if that changed it."""
    p = record["payment"]
    if p["status"] != "WAITING_FOR_DEPOSIT" or p["virtualAccount"]["expired"]:
        return False
    if now < record["internal"].get("dueAt", math.inf):
        return False
    p["virtualAccount"]["expired"] = True
    return True


def pay(record: PaymentRecord, amount: int | None, now: float) -> JSONObject:
    """The buyer deposited into the account: DONE. Returns the transaction row."""
    p = record["payment"]
    if p["method"] != "가상계좌":
        raise SandboxError("INVALID_REQUEST", "가상계좌 결제가 아닙니다", detail_en="not a virtual account payment")
    if p["status"] != "WAITING_FOR_DEPOSIT":
        raise SandboxError(
            "INVALID_REQUEST",
            f"입금 대기 중이 아닙니다 ({p['status']})",
            detail_en=f"not waiting for a deposit ({p['status']})",
        )
    if p["virtualAccount"]["expired"]:
        raise SandboxError(
            "INVALID_REQUEST", "입금 기한이 지난 계좌입니다", detail_en="the account's due date has passed"
        )
    if amount is not None and amount != p["totalAmount"]:
        raise SandboxError(
            "INVALID_REQUEST",
            f"입금액은 결제 금액 {p['totalAmount']}원과 같아야 합니다",
            detail_en=f"the deposit must equal the amount ({p['totalAmount']})",
        )
    move(p, "DONE")
    tx = secrets.token_hex(16).upper()
    p.update(approvedAt=iso(now), lastTransactionKey=tx)
    p["virtualAccount"]["depositorName"] = p["virtualAccount"]["customerName"]
    record["internal"]["approvalTransactionKey"] = tx
    cash_receipt(p, record["internal"].get("options") or {})
    return transactions.approval(p)


def refund_account(value: object) -> dict[str, str]:
    """``refundReceiveAccount{bank, accountNumber, holderName}`` checked as Toss's cancel does."""
    if not isinstance(value, dict):
        raise SandboxError(
            "INVALID_REQUEST",
            "refundReceiveAccount: 입금 후 가상계좌 취소에는 환불 계좌가 필요합니다",
            detail_en="refundReceiveAccount: required to cancel a paid virtual account",
        )
    code = bank_code(value.get("bank"))
    if code is None:
        raise SandboxError("INVALID_BANK")
    number = value.get("accountNumber")
    if not isinstance(number, str) or not _ACCOUNT_NUMBER.match(number):
        raise SandboxError(
            "INVALID_REFUND_ACCOUNT_NUMBER",
            "accountNumber: - 없이 숫자 20자 이하",
            detail_en="accountNumber: up to 20 digits, no '-'",
        )
    holder = value.get("holderName")
    if not isinstance(holder, str) or not 1 <= len(holder.strip()) <= 60:
        raise SandboxError(
            "INVALID_REFUND_ACCOUNT_INFO", "holderName: 1자 이상 60자 이하", detail_en="holderName: 1 to 60 characters"
        )
    return {"bankCode": code, "accountNumber": number, "holderName": holder.strip()}


def check_cancel(p: Payment, cancel_amount: int | None, refund: object) -> dict[str, str] | None:
    """Toss's 가상계좌 cancel rules; returns the refund account to record, if one is needed."""
    if p["status"] == "WAITING_FOR_DEPOSIT":
        if cancel_amount is not None and cancel_amount != p["balanceAmount"]:
            raise SandboxError("NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT")
        return None
    return refund_account(refund)


def after_cancel(p: Payment, refund: dict[str, str] | None) -> None:
    if refund is not None:
        p["virtualAccount"]["refundReceiveAccount"] = refund
        p["virtualAccount"]["refundStatus"] = "COMPLETED"


__all__ = ["BANKS", "check_due", "issue", "refresh_expired", "pay", "refund_account", "check_cancel", "after_cancel"]
