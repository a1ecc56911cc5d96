"""A payment row as plain data, and the SQLAlchemy Core statements the payment jobs write it with.

Why not the ORM for these: a confirm's two write transactions cost ~1.5 and ~2.4 ms of CPU
through the ORM's unit of work; a Payment model costs 0.1–0.25 ms just to construct (SQLModel
runs its fields' validation and instrumentation), a dataclass a few µs. The statements below are
built once, so SQLAlchemy compiles each once per process and dialect (PostgreSQL and SQLite).

On PostgreSQL a transition's three writes (row, rollup, event) go out as one statement
(``moved_row_sql``); SQLite, which has no data-modifying CTEs, gets them one by one.

The column names are the model's (``payapp/models.py`` stays the one schema): a column added
there without a field here fails ``PaymentRow(**row)`` on the first read, loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from payapp.models import Payment, PaymentEvent

from .rollup import upsert

TABLE = Payment.metadata.tables["payment"]


@dataclass(slots=True)
class PaymentRow:
    """A ``payment`` row's values, read or about to be written (no session, no tracking)."""

    order_id: str
    payment_key: str | None
    order_name: str
    amount: int
    balance_amount: int
    status: str
    user_id: int
    created_at: datetime
    updated_at: datetime
    items: list[dict[str, Any]] = field(default_factory=list)
    method: str | None = None
    approved_at: datetime | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    raw: dict[str, Any] | None = None
    checked_at: datetime | None = None
    next_check_at: datetime | None = None
    check_failures: int = 0
    id: int | None = None


COLUMNS = tuple(f.name for f in fields(PaymentRow) if f.name != "id")
# What a job may change on an existing row: its Toss-given state and reconciliation's schedule.
MUTABLE = (
    "payment_key",
    "status",
    "balance_amount",
    "method",
    "approved_at",
    "failure_code",
    "failure_message",
    "raw",
    "updated_at",
    "checked_at",
    "next_check_at",
    "check_failures",
)

_INSERT = sa.insert(TABLE).returning(TABLE.c.id)
_LOCK = sa.select(TABLE).where(TABLE.c.order_id == sa.bindparam("order_id")).with_for_update()
# No values(): the SET list comes from the parameters' keys (always MUTABLE: one compiled form).
_UPDATE = sa.update(TABLE).where(TABLE.c.id == sa.bindparam("row_id"))


def _values(row: PaymentRow, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def insert_payment(conn: Connection, row: PaymentRow) -> None:
    """INSERT the new row and set its ``id`` (a duplicate orderId or paymentKey: IntegrityError)."""
    row.id = conn.execute(_INSERT, _values(row, COLUMNS)).scalar_one()


def lock_payment(conn: Connection, order_id: str) -> PaymentRow:
    """The order's row, locked until the transaction ends (SELECT … FOR UPDATE; SQLite locks the
    whole database at the first write instead). NoResultFound when there is none."""
    return PaymentRow(**conn.execute(_LOCK, {"order_id": order_id}).one()._mapping)


def update_payment(conn: Connection, row: PaymentRow) -> None:
    """Write the row's MUTABLE columns (its identity, amount and order never change)."""
    params = _values(row, MUTABLE)
    params["row_id"] = row.id
    conn.execute(_UPDATE, params)


EVENTS = PaymentEvent.metadata.tables["payment_event"]
EVENT_COLUMNS = ("from_status", "to_status", "source", "detail", "at")
_INSERT_EVENT = sa.insert(EVENTS)


def _quote(name: str) -> str:
    return f'"{name}"'  # the model's column names are lower case: quoted, they stay the same names


@lru_cache
def moved_row_sql(new: bool, rollup_rows: int) -> sa.TextClause:
    """PostgreSQL: a transition's writes as ONE statement: the row (INSERT when ``new``, else an
    UPDATE of its MUTABLE columns by ``row_id``), the rollup's upsert, and the event pointing at
    the row, as data-modifying CTEs (one round trip instead of three; atomic as one statement).
    Parameters: the row's columns, ``upsert(rollup_rows)``'s, the event's; it returns the row's id.
    """
    if new:
        names = ", ".join(_quote(c) for c in COLUMNS)
        row = f"INSERT INTO payment ({names}) VALUES ({', '.join(f':{c}' for c in COLUMNS)}) RETURNING id"
    else:
        sets = ", ".join(f"{_quote(c)} = :{c}" for c in MUTABLE)
        row = f"UPDATE payment SET {sets} WHERE id = :row_id RETURNING id"
    ctes = [f"moved AS ({row})"]
    if rollup_rows:
        ctes.append(f"daily AS ({upsert(rollup_rows).text})")
    event_names = ", ".join(_quote(c) for c in EVENT_COLUMNS)
    sql = (
        f"WITH {', '.join(ctes)} INSERT INTO payment_event (payment_id, {event_names}) "
        f"SELECT id, {', '.join(f':{c}' for c in EVENT_COLUMNS)} FROM moved RETURNING payment_id"
    )
    binds = [sa.bindparam(c, type_=TABLE.c[c].type) for c in (COLUMNS if new else MUTABLE)]
    binds += [sa.bindparam(c, type_=EVENTS.c[c].type) for c in EVENT_COLUMNS]
    binds += [sa.bindparam(f"day{i}", type_=sa.Date) for i in range(rollup_rows)]
    return sa.text(sql).bindparams(*binds)


def write_moved_row(
    conn: Connection, row: PaymentRow, rollup: tuple[int, dict[str, Any]], event: dict[str, Any]
) -> None:
    """A transition's writes: the row (INSERT when it has no id yet, else its MUTABLE columns),
    the rollup's move and the event; one statement on PostgreSQL, three elsewhere (SQLite)."""
    rows, rollup_params = rollup
    if conn.dialect.name == "postgresql":
        new = row.id is None
        params = {**_values(row, COLUMNS if new else MUTABLE), **rollup_params, **event}
        if not new:
            params["row_id"] = row.id
        row.id = conn.execute(moved_row_sql(new, rows), params).scalar_one()
        return
    if row.id is None:
        insert_payment(conn, row)
    else:
        update_payment(conn, row)
    if rows:
        conn.execute(upsert(rows), rollup_params)
    conn.execute(_INSERT_EVENT, {"payment_id": row.id, **event})
