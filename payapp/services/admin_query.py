"""The SQL behind the admin payments list: filters, the keyset cursor, and counting.

Kept apart from ``admin.py`` so that ``bench/admin_list.py`` times exactly these statements.

Choices, because a million rows make them matter:
- pages by keyset on ``(created_at DESC, id DESC)`` (index ``ix_payment_created_id``): page
  10,000 costs what page 1 costs, and a row inserted meanwhile shifts nothing;
- the text search (``admin_search``): orderId / paymentKey by prefix, orderName / buyer email
  anywhere, each arm of the OR served by an index;
- ``count`` is exact up to ``COUNT_CAP`` and then capped (``countCapped``): an exact count of a
  million rows is a full index walk (~100 ms here) on every page turn, and nobody pages to
  row 10,001 by counting. ``stats()`` gives exact per-status totals when they are wanted.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col

from payapp.models import Payment, PaymentStatus, User, UTCDateTime
from payapp.schemas import KST

from .admin_attention import stuck_condition
from .admin_search import text_condition
from .errors import Code, ServiceError

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
COUNT_CAP = 10_000
FEW = 2_000
MAX_Q = 100
MAX_ID = 2**31 - 1  # payment.id is a PostgreSQL integer (SQLite's would overflow at 2**63)
REVENUE_STATUSES = (PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED)
_CURSOR_RE = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def bad_request(message: str) -> ServiceError:
    return ServiceError.of(Code.INVALID_REQUEST, message)


@dataclass(frozen=True)
class AdminFilters:
    """What the admin list shows: statuses (any of), KST dates inclusive (on created_at), text,
    and ``attention``: only payments still unsettled past the alert threshold (admin_attention).

    The same object comes from the REST query and from the page URL (``from_query``), and goes
    back into the URL (``to_query``), so a filtered view can be shared as a link.
    """

    statuses: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    attention: bool = False

    def __post_init__(self) -> None:
        unknown = [s for s in self.statuses if s not in PaymentStatus.__members__]
        if unknown:
            raise bad_request(
                f"알 수 없는 결제 상태입니다: {', '.join(unknown)} (가능: {', '.join(PaymentStatus.__members__)})."
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise bad_request("기간의 시작(from)이 끝(to)보다 늦습니다.")
        if len(self.q) > MAX_Q:
            raise bad_request(f"검색어(q)는 {MAX_Q}자 이하입니다.")
        if "\x00" in self.q:  # PostgreSQL text can't hold NUL: a 400 here, not a 500 (or a cut CSV) there
            raise bad_request("검색어(q)에 NUL 문자는 쓸 수 없습니다.")
        object.__setattr__(self, "statuses", tuple(sorted(set(self.statuses))))
        object.__setattr__(self, "q", self.q.strip())

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> AdminFilters:
        """Parse ``status`` (comma-separated or a list), ``from``/``to`` (YYYY-MM-DD), ``q`` and
        ``attention`` (1/true or 0/false)."""
        raw_status = params.get("status") or []
        parts = raw_status.split(",") if isinstance(raw_status, str) else list(raw_status)
        statuses = tuple(p.strip().upper() for part in parts for p in str(part).split(",") if p.strip())
        return cls(
            statuses=statuses,
            date_from=_parse_date(params.get("from"), "from"),
            date_to=_parse_date(params.get("to"), "to"),
            q=str(params.get("q") or ""),
            attention=_parse_flag(params.get("attention"), "attention"),
        )

    def to_query(self) -> dict[str, str]:
        """The inverse of ``from_query``: only the filters that are set."""
        query = {
            "status": ",".join(self.statuses),
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "q": self.q,
            "attention": "1" if self.attention else "",
        }
        return {k: v for k, v in query.items() if v}

    def utc_range(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC of the KST days ``date_from`` … ``date_to``."""
        return (
            kst_midnight(self.date_from) if self.date_from else None,
            kst_midnight(self.date_to + timedelta(days=1)) if self.date_to else None,
        )


def _parse_date(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise bad_request(f"{name}는 YYYY-MM-DD 형식의 날짜입니다.") from None
    if not FIRST_DAY <= day <= LAST_DAY:  # year 1 or 9999 is nobody's payment, and overflows KST arithmetic
        raise bad_request(f"{name}는 {FIRST_DAY}부터 {LAST_DAY} 사이의 날짜입니다.")
    return day


def _parse_flag(value: Any, name: str) -> bool:
    text = str(value or "").strip().lower()
    if text not in ("", "0", "1", "false", "true"):
        raise bad_request(f"{name}는 1 또는 0입니다.")
    return text in ("1", "true")


def kst_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), KST).astimezone(UTC)


def kst_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(KST).date()


def parse_limit(limit: Any) -> int:
    """50 by default; above MAX_PAGE_SIZE it is capped (the rest comes by ``nextCursor``),
    below 1 or not a number it is a 400."""
    if limit is None or limit == "":
        return PAGE_SIZE
    try:
        value = int(limit)
    except (TypeError, ValueError):
        raise bad_request(f"limit은 1 이상의 정수입니다 (최대 {MAX_PAGE_SIZE}건씩).") from None
    if value < 1:
        raise bad_request(f"limit은 1 이상의 정수입니다 (최대 {MAX_PAGE_SIZE}건씩).")
    return min(value, MAX_PAGE_SIZE)


# ---- the cursor: opaque to clients, checked on the way in ------------------------------
def encode_cursor(created_at: datetime, payment_id: int) -> str:
    micros = (created_at - _EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}.{payment_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if cursor is None or cursor == "":
        return None
    invalid = ServiceError.of(Code.INVALID_CURSOR)
    if not isinstance(cursor, str) or not _CURSOR_RE.match(cursor):
        raise invalid
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        micros, _, ident = text.partition(".")
        if not (micros.lstrip("-").isdigit() and ident.isdigit()):
            raise ValueError(text)
        if not 1 <= int(ident) <= MAX_ID:  # a forged id past the column's integer: no page, not a 500
            raise ValueError(text)
        return _EPOCH + timedelta(microseconds=int(micros)), int(ident)
    except (ValueError, OverflowError, UnicodeDecodeError):
        raise invalid from None


# ---- SQL ------------------------------------------------------------------------------
def conditions(
    session: Session, filters: AdminFilters, *, statuses: bool = True, row_by_row: bool = False
) -> list[ColumnElement[bool]]:
    """The filter as SQL conditions (``statuses=False``: without its status part, for the facets;
    ``row_by_row``: see ``text_condition``)."""
    where: list[ColumnElement[bool]] = []
    if statuses and filters.statuses:
        where.append(col(Payment.status).in_(filters.statuses))
    start, end = filters.utc_range()
    if start is not None:
        where.append(col(Payment.created_at) >= start)
    if end is not None:
        where.append(col(Payment.created_at) < end)
    if filters.q:
        where.append(text_condition(session, filters.q, row_by_row=row_by_row))
    if filters.attention:
        where.append(stuck_condition())
    return where


ROW_COLUMNS = (
    col(Payment.id),
    col(Payment.order_id),
    col(Payment.payment_key),
    col(Payment.order_name),
    col(User.email),
    col(Payment.amount),
    col(Payment.balance_amount),
    col(Payment.method),
    col(Payment.status),
    col(Payment.approved_at),
    col(Payment.created_at),
    col(Payment.checked_at),
)
# A page's row: what ROW_COLUMNS select, in their order.
RowSelect = Select[
    int | None, str, str | None, str, str, int, int, str | None, str, datetime | None, datetime, datetime | None
]


def page_query(
    where: Iterable[ColumnElement[bool]], after: tuple[datetime, int] | None, limit: int, few: bool = False
) -> RowSelect:
    """One page of rows, newest first, strictly after the cursor ``(created_at, id)``.

    ``few``: the filter matches few rows (a selective search). Then the matches are gathered
    first (a MATERIALIZED CTE: the trigram/btree indexes, OR-ed as a bitmap) and sorted; left
    alone, PostgreSQL walks the created_at index and filters row by row, betting that matches
    are dense, which for a rare term means reading much of the table (~300 ms cold at 1M rows).
    """
    where = list(where)
    if few:
        hits = sa.select(col(Payment.id)).where(*where).cte("hits").prefix_with("MATERIALIZED", dialect="postgresql")
        where = [col(Payment.id).in_(sa.select(hits.c.id))]
    stmt = sa.select(*ROW_COLUMNS).join(User, col(User.id) == col(Payment.user_id)).where(*where)
    if after is not None:
        stmt = stmt.where(
            sa.tuple_(col(Payment.created_at), col(Payment.id))
            < sa.tuple_(sa.literal(after[0], UTCDateTime()), sa.literal(after[1], sa.Integer()))
        )
    return stmt.order_by(col(Payment.created_at).desc(), col(Payment.id).desc()).limit(limit)


def few_matches(filters: AdminFilters, count: int) -> bool:
    """A text search matching at most FEW rows is served by gathering the matches first."""
    return bool(filters.q) and count <= FEW


def capped_count_query(where: Iterable[ColumnElement[bool]], cap: int = COUNT_CAP) -> Select[int]:
    """How many rows match, counting no further than ``cap + 1``."""
    return sa.select(sa.func.count()).select_from(sa.select(col(Payment.id)).where(*where).limit(cap + 1).subquery())


def kst_day(session: Session) -> ColumnElement[Any]:
    """The KST calendar day of created_at (KST has no DST: always UTC+9)."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("Asia/Seoul", col(Payment.created_at)), sa.Date)
    return sa.func.date(col(Payment.created_at), "+9 hours")
