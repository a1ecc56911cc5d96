"""거래 (transactions): one row per approval and per (partial) cancel, for ``GET /v1/transactions``.

Toss calls each approval and each cancel of a payment a transaction with its own
``transactionKey`` (the approval's is the payment's first ``lastTransactionKey``, a cancel's
is its ``cancels[].transactionKey``). The ledger records a row where it happens, in the same
store write as the payment; a row never changes afterwards.

Rows are kept per key pair (the pair that opened the payment, as every lookup is scoped) in the
order they happened, under a *sort key*: the time they happened to the microsecond, fixed width
so that text order is time order, then the transactionKey. ``transactionAt`` shows the same
time to the second, so a window of whole seconds is a range of sort keys.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from .errors import SandboxError
from .jsontypes import JSONObject

# Toss: "limit: 기본값 100, 최대 5000" (toss-api.md §2.7; the public collection of Toss's API says
# the same, and real callers page with limit=5000). 10,000 is the cash-receipts list's cap.
DEFAULT_LIMIT = 100
MAX_LIMIT = 5000

# yyyy-MM-dd, or yyyy-MM-ddTHH:mm:ss with optional fractions (the docs' examples use both
# "23:59:59" and "23:59:59.999"); KST, no offset.
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,6})?)?$")
_KST = timezone(timedelta(hours=9))


# ---- rows ---------------------------------------------------------------------------
def row(
    p: JSONObject, transaction_key: str, status: str, at: str, amount: int, customer_key: str | None = None
) -> JSONObject:
    # Exactly the Transaction object's fields (toss-api.md §2.7, Toss's reference): nothing else.
    return {
        "mId": p["mId"],
        "transactionKey": transaction_key,
        "paymentKey": p["paymentKey"],
        "orderId": p["orderId"],
        "method": p["method"],
        "customerKey": customer_key,
        "useEscrow": p["useEscrow"],
        "receiptUrl": (p["receipt"] or {}).get("url"),
        "status": status,
        "transactionAt": at,
        "currency": p["currency"],
        "amount": amount,
    }


def approval(p: JSONObject, customer_key: str | None = None) -> JSONObject:
    """The approval of a payment just confirmed (or a 가상계좌 just paid): ``DONE`` for its
    whole amount. ``customer_key``: a billing payment's customer."""
    return row(p, p["lastTransactionKey"], "DONE", p["approvedAt"], p["totalAmount"], customer_key)


def cancellation(
    p: JSONObject, cancel: JSONObject, customer_key: str | None = None, amount: int | None = None
) -> JSONObject:
    """A cancel just applied: the payment's status after it, for the amount it cancelled
    (``amount``: 0 for a 가상계좌 cancelled before anything was deposited)."""
    return row(
        p,
        cancel["transactionKey"],
        p["status"],
        cancel["canceledAt"],
        cancel["cancelAmount"] if amount is None else amount,
        customer_key,
    )


def _time_key(ts: float) -> str:
    # Truncated, not rounded, to the microsecond: the whole seconds are floor(ts), the second
    # transactionAt shows.
    whole = math.floor(ts)
    return f"{whole:011d}.{min(int((ts - whole) * 1_000_000), 999_999):06d}"


def sort_key(ts: float, transaction_key: str) -> str:
    return f"{_time_key(ts)}|{transaction_key}"


def window_keys(start: float, end: float) -> tuple[str, str]:
    """Sort-key bounds ``[low, high)`` of the rows whose transactionAt second is in [start, end]."""
    return _time_key(math.ceil(start)), _time_key(math.floor(end) + 1)


# ---- the query ---------------------------------------------------------------------------
def _date(params: Mapping[str, str], name: str) -> float:
    raw = params.get(name)
    if raw is None or not _DATE_RE.match(raw):
        raise SandboxError(
            "INVALID_REQUEST",
            f"{name}는 yyyy-MM-dd'T'HH:mm:ss 형식으로 필수입니다",
            detail_en=f"{name} is required, as yyyy-MM-dd'T'HH:mm:ss",
        )
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=_KST).timestamp()
    except ValueError:  # e.g. 2024-02-30
        raise SandboxError(
            "INVALID_REQUEST", f"{name}: 존재하지 않는 날짜입니다", detail_en=f"{name}: no such date"
        ) from None


def parse_query(params: Mapping[str, str]) -> tuple[float, float, str | None, int]:
    """``startDate``, ``endDate``, ``startingAfter``, ``limit`` of a request, checked."""
    start, end = _date(params, "startDate"), _date(params, "endDate")
    if start > end:
        raise SandboxError(
            "INVALID_REQUEST",
            "startDate는 endDate보다 늦을 수 없습니다",
            detail_en="startDate must not be after endDate",
        )
    raw_limit = params.get("limit")
    if raw_limit is None:
        limit = DEFAULT_LIMIT
    elif raw_limit.isdigit() and 1 <= int(raw_limit) <= MAX_LIMIT:
        limit = int(raw_limit)
    else:
        raise SandboxError(
            "INVALID_REQUEST",
            f"limit은 1 이상 {MAX_LIMIT} 이하의 정수입니다",
            detail_en=f"limit must be an integer from 1 to {MAX_LIMIT}",
        )
    after = params.get("startingAfter") or None
    return start, end, after, limit
