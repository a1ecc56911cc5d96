"""``payment_daily``: payments per KST day (of created_at) and status, with their balance sum.

Why: the admin stats aggregate every matching payment (1.3 s at a million rows); the rollup
holds a few rows per day, so a filter without a text query reads a few thousand rows at most.

Kept exact by construction:
- ``transitions.transition`` writes ``move_rows`` in the transaction that changes the
  payment's status or balance, so both commit or neither does;
- each change is an additive upsert (``count = count + d``), so concurrent workers never
  overwrite each other, and the rows are touched in one order (by status), so two moves never
  deadlock on them;
- migration 0003 fills it from existing payments, the bulk seed adds what it loads
  (``add_payments``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session

from payapp.models import PaymentDaily
from payapp.schemas import KST

TABLE = PaymentDaily.metadata.tables["payment_daily"]
_COUNT, _BALANCE = TABLE.c["count"], TABLE.c["balance_sum"]
# The KST day of payment.created_at in SQL, as admin_query.kst_day computes it (KST has no DST).
DAY_SQL = {"postgresql": "(created_at AT TIME ZONE 'Asia/Seoul')::date", "sqlite": "date(created_at, '+9 hours')"}


def kst_date(moment: datetime) -> date:
    return moment.astimezone(KST).date()


class Counted(Protocol):
    status: str
    balance_amount: int
    created_at: datetime


def move_rows(payment: Counted, from_status: str | None, from_balance: int) -> tuple[int, dict[str, Any]]:
    """The rollup rows one payment's move touches (0, 1 or 2, in status order) and the parameters
    of ``upsert(rows)`` for them: its contribution leaves (from_status, from_balance) for its
    current values. ``from_status`` None: a new payment."""
    deltas: dict[str, tuple[int, int]] = {}
    if from_status is not None:
        deltas[from_status] = (-1, -from_balance)
    count, balance = deltas.get(payment.status, (0, 0))
    deltas[payment.status] = (count + 1, balance + payment.balance_amount)
    day = kst_date(payment.created_at)
    rows = [(status, *deltas[status]) for status in sorted(deltas) if deltas[status] != (0, 0)]
    params: dict[str, Any] = {}
    for i, (status, count, balance) in enumerate(rows):
        params.update({f"day{i}": day, f"status{i}": str(status), f"count{i}": count, f"balance{i}": balance})
    return len(rows), params


@lru_cache
def upsert(rows: int) -> sa.TextClause:
    """``rows`` additive upserts in one statement, in SQL that PostgreSQL and SQLite share.

    Text, not ``insert().on_conflict_do_update()``: SQLAlchemy cannot cache the compiled form
    of the latter and compiled it again for every payment move.
    """
    values = ", ".join(f"(:day{i}, :status{i}, :count{i}, :balance{i})" for i in range(rows))
    return sa.text(
        f"INSERT INTO payment_daily (day, status, count, balance_sum) VALUES {values} "
        "ON CONFLICT (day, status) DO UPDATE SET count = payment_daily.count + excluded.count, "
        "balance_sum = payment_daily.balance_sum + excluded.balance_sum"
    ).bindparams(*(sa.bindparam(f"day{i}", type_=sa.Date) for i in range(rows)))


def add_payments_sql(dialect: str, first_id: int) -> str:
    """SQL adding every payment with ``id >= first_id`` to the rollup (for a bulk load)."""
    # "WHERE" before ON CONFLICT: SQLite needs it there to parse INSERT … SELECT … ON CONFLICT.
    return (
        f"INSERT INTO payment_daily (day, status, count, balance_sum) "
        f"SELECT {DAY_SQL[dialect]}, status, count(*), sum(balance_amount) FROM payment "
        f"WHERE id >= {int(first_id)} GROUP BY 1, 2 "
        f"ON CONFLICT (day, status) DO UPDATE SET count = payment_daily.count + excluded.count, "
        f"balance_sum = payment_daily.balance_sum + excluded.balance_sum"
    )


# ---- reading -----------------------------------------------------------------------------
def _between(first: date | None, last: date | None) -> list[sa.ColumnElement[bool]]:
    where = []
    if first is not None:
        where.append(TABLE.c.day >= first)
    if last is not None:
        where.append(TABLE.c.day <= last)
    return where


def totals_query(first: date | None, last: date | None) -> sa.Select[str, int, int]:
    """status, count, balance sum over the KST days first … last (None: unbounded)."""
    return (
        sa.select(TABLE.c.status, sa.func.sum(_COUNT), sa.func.sum(_BALANCE))
        .where(*_between(first, last))
        .group_by(TABLE.c.status)
    )


def totals(session: Session, first: date | None, last: date | None) -> dict[str, tuple[int, int]]:
    """status → (count, balance sum) over the KST days first … last (None: unbounded)."""
    return {status: (int(count), int(balance)) for status, count, balance in session.execute(totals_query(first, last))}


def cells_query(ranges: Iterable[tuple[date, date]]) -> sa.Select[date | str, str, int, int]:
    """The rollup's rows for the days in any of the inclusive ``ranges``."""
    wanted = sa.or_(*(sa.and_(*_between(first, last)) for first, last in ranges))
    return sa.select(TABLE.c.day, TABLE.c.status, _COUNT, _BALANCE).where(wanted)


def cells(session: Session, ranges: Iterable[tuple[date, date]]) -> dict[tuple[date, str], tuple[int, int]]:
    """(day, status) → (count, balance sum) for the days in any of the inclusive ``ranges``."""
    return {
        (_as_date(day), status): (int(count), int(balance))
        for day, status, count, balance in session.execute(cells_query(ranges))
    }


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
