"""The admin payments dashboard: list, stats, detail and CSV export (no Reflex imports).

Called by the REST routes (payapp/api/routes/admin.py) and by the admin page's state alike.
Refunds and "Toss와 동기화" are not here: they are ``PaymentService.cancel`` and
``PaymentService.settle(order_id, EventSource.ADMIN)``, the one path every status change takes.

Public API::

    filters = AdminFilters.from_query({"status": "DONE,PARTIAL_CANCELED", "from": "2026-01-01", "q": "텀블러"})
    page = await list_payments(filters, cursor=None, limit=50)   # AdminPaymentPage
    more = await list_payments(filters, cursor=page.nextCursor)  # next 50, or nextCursor None at the end
    numbers = await stats(filters)                               # AdminStats
    detail = await payment_detail("ord_…")                       # AdminPaymentDetail (404 if unknown)
    seen = await attention()                                     # AdminAttention: stuck payments, drift
    for chunk in csv_stream(filters): ...                        # bytes, BOM first (sync iterator)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, Protocol, Self

from pydantic import BaseModel
from sqlmodel import Session, col, select

from payapp.db import run_db, session_scope
from payapp.models import Payment, PaymentEvent, User
from payapp.schemas import in_kst

from .admin_attention import AdminAttention, DriftView, attention
from .admin_query import (
    COUNT_CAP,
    PAGE_SIZE,
    AdminFilters,
    capped_count_query,
    conditions,
    decode_cursor,
    encode_cursor,
    few_matches,
    kst_today,
    page_query,
    parse_limit,
)
from .admin_stats import AdminStats, stats
from .errors import not_found
from .payments import valid_order_id

__all__ = [
    "AdminFilters",
    "AdminPaymentRow",
    "AdminPaymentPage",
    "AdminPaymentDetail",
    "AdminStats",
    "AdminAttention",
    "DriftView",
    "PaymentEventView",
    "CSV_HEADER",
    "list_payments",
    "stats",
    "payment_detail",
    "attention",
    "csv_stream",
    "csv_filename",
    "COUNT_CAP",
    "PAGE_SIZE",
]

CSV_HEADER = ["주문번호", "상품", "구매자", "금액", "잔액", "결제수단", "상태", "승인시각(KST)"]
CSV_BATCH = 1000


class PaymentFields(Protocol):
    """What a line of the table reads from a payment: a ``Payment``, or a row of ``ROW_COLUMNS``."""

    order_id: str
    payment_key: str | None
    order_name: str
    amount: int
    balance_amount: int
    method: str | None
    status: str
    approved_at: datetime | None
    created_at: datetime
    checked_at: datetime | None


class AdminPaymentRow(BaseModel):
    """One line of the admin table. Times are in Asia/Seoul."""

    orderId: str
    paymentKey: str | None
    orderName: str
    buyerEmail: str
    amount: int
    balanceAmount: int
    method: str | None
    status: str
    approvedAt: datetime | None
    createdAt: datetime
    checkedAt: datetime | None = None  # when Toss last answered about it (confirm, settle, reconciliation)

    @classmethod
    def of(cls, p: PaymentFields, buyer_email: str, **more: Any) -> Self:
        """The one builder of these fields: the list's rows and a payment's page (``more``: its own)."""
        return cls(
            orderId=p.order_id,
            paymentKey=p.payment_key,
            orderName=p.order_name,
            buyerEmail=buyer_email,
            amount=p.amount,
            balanceAmount=p.balance_amount,
            method=p.method,
            status=p.status,
            approvedAt=in_kst(p.approved_at),
            createdAt=in_kst(p.created_at),
            checkedAt=in_kst(p.checked_at),
            **more,
        )


class AdminPaymentPage(BaseModel):
    data: list[AdminPaymentRow]
    nextCursor: str | None
    count: int
    countCapped: bool = False  # True: more than ``count`` (= COUNT_CAP) rows match


class PaymentEventView(BaseModel):
    at: datetime
    fromStatus: str | None
    toStatus: str
    source: str
    detail: dict[str, Any]


class AdminPaymentDetail(AdminPaymentRow):
    userId: int
    items: list[dict[str, Any]]
    failureCode: str | None
    failureMessage: str | None
    updatedAt: datetime
    events: list[PaymentEventView]  # oldest first
    raw: dict[str, Any] | None  # Toss's last Payment object as received


async def list_payments(filters: AdminFilters, cursor: str | None = None, limit: Any = PAGE_SIZE) -> AdminPaymentPage:
    """A page of payments matching ``filters``, newest first (created_at, then id).

    ``cursor`` is the previous page's ``nextCursor`` (None for the first page); a cursor that
    is not one raises ``ServiceError("INVALID_CURSOR")`` (400). ``count`` is exact up to
    ``COUNT_CAP`` and then capped, with ``countCapped`` set.
    """
    after = decode_cursor(cursor)
    size = parse_limit(limit)

    def work(session: Session) -> AdminPaymentPage:
        where = conditions(session, filters)
        count = session.execute(capped_count_query(where)).scalar_one()
        rows = list(session.execute(page_query(where, after, size + 1, few=few_matches(filters, count))))
        more = len(rows) > size
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
        return AdminPaymentPage(
            data=[AdminPaymentRow.of(r, r.email) for r in rows],
            nextCursor=next_cursor,
            count=min(count, COUNT_CAP),
            countCapped=count > COUNT_CAP,
        )

    return await run_db(work)


async def payment_detail(order_id: str) -> AdminPaymentDetail:
    """Every field of one payment, its buyer's email, its event timeline and Toss's last answer."""

    if not valid_order_id(order_id):
        raise not_found()

    def work(session: Session) -> AdminPaymentDetail:
        found = session.exec(
            select(Payment, User).join(User, col(User.id) == col(Payment.user_id)).where(Payment.order_id == order_id)
        ).first()
        if found is None:
            raise not_found()
        payment, user = found
        events = session.exec(
            select(PaymentEvent)
            .where(PaymentEvent.payment_id == payment.id)
            .order_by(col(PaymentEvent.at), col(PaymentEvent.id))
        )
        return AdminPaymentDetail.of(
            payment,
            user.email,
            userId=user.id,
            items=payment.items or [],
            failureCode=payment.failure_code,
            failureMessage=payment.failure_message,
            updatedAt=in_kst(payment.updated_at),
            raw={k: v for k, v in payment.raw.items() if k != "secret"} if payment.raw else None,  # never the VA secret
            events=[
                PaymentEventView(
                    at=in_kst(e.at),
                    fromStatus=e.from_status,
                    toStatus=e.to_status,
                    source=e.source,
                    detail=e.detail or {},
                )
                for e in events
            ],
        )

    return await run_db(work)


# ---- CSV ------------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """Text as Excel should show it: a leading = + - @ would make it a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_row(row: AdminPaymentRow) -> list[str]:
    approved = row.approvedAt.strftime("%Y-%m-%d %H:%M:%S") if row.approvedAt else ""
    return [
        _cell(row.orderId),
        _cell(row.orderName),
        _cell(row.buyerEmail),
        str(row.amount),
        str(row.balanceAmount),
        _cell(row.method),
        row.status,
        approved,
    ]


def csv_stream(filters: AdminFilters, batch_size: int = CSV_BATCH) -> Iterator[bytes]:
    """Every payment matching ``filters`` as CSV bytes: UTF-8 BOM, the Korean header, then rows.

    Newest first, like the list. Rows are read in keyset batches of ``batch_size``, each in its
    own short session, so memory stays flat and no transaction is held open for a long export.
    A sync iterator: Starlette's StreamingResponse runs it in a worker thread.
    """
    yield "\ufeff".encode()
    yield _csv_lines([CSV_HEADER])
    after: tuple[datetime, int] | None = None
    while True:
        with session_scope() as session:
            rows = list(session.execute(page_query(conditions(session, filters), after, batch_size)))
        if not rows:
            return
        yield _csv_lines(csv_row(AdminPaymentRow.of(r, r.email)) for r in rows)
        if len(rows) < batch_size:
            return
        after = (rows[-1].created_at, rows[-1].id)


def _csv_lines(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_filename(filters: AdminFilters, today: date | None = None) -> str:
    """e.g. ``payments_20260101-20260131.csv`` (ASCII, safe in Content-Disposition)."""
    first = filters.date_from.strftime("%Y%m%d") if filters.date_from else "all"
    last = (filters.date_to or today or kst_today()).strftime("%Y%m%d")
    return f"payments_{first}-{last}.csv"
