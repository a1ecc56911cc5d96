"""The payment jobs' Core writes (payapp/services/payment_row.py) leave the same row, events and
daily rollup on PostgreSQL, where a move is one statement, as on SQLite, where it is three."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from payapp.db import normalize_url
from payapp.models import EventSource, utcnow
from payapp.services.payment_row import PaymentRow, lock_payment
from payapp.services.transitions import IllegalTransition, transition
from tests.core.conftest import fresh_pg_database

TABLES = [SQLModel.metadata.tables[name] for name in ("user", "payment", "payment_event", "payment_daily")]
ITEMS = [{"productId": 1, "name": "텀블러", "price": 5000, "quantity": 2}]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield from _engine(f"sqlite:///{tmp_path / 'rows.db'}")
        return
    with fresh_pg_database("payapp_rows") as url:
        yield from _engine(normalize_url(url), "CREATE EXTENSION IF NOT EXISTS pg_trgm")


def _engine(url: str, *setup: str) -> Iterator[Engine]:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in setup:
                conn.execute(sa.text(sql))
        SQLModel.metadata.create_all(engine, tables=TABLES)
        with engine.begin() as conn:
            user = {
                "id": 1,
                "email": "row@example.com",
                "password_hash": "x",
                "role": "customer",
                "created_at": utcnow(),
            }
            conn.execute(sa.insert(TABLES[0]), user)
        yield engine
    finally:
        engine.dispose()


def _new_row(order_id: str) -> PaymentRow:
    now = utcnow()
    return PaymentRow(
        order_id=order_id,
        payment_key="pk_" + order_id,
        order_name="텀블러",
        amount=10000,
        balance_amount=10000,
        status="",
        user_id=1,
        items=ITEMS,
        created_at=now,
        updated_at=now,
    )


def test_a_payment_moved_through_the_core_path_keeps_its_events_and_rollup_exact(engine: Engine) -> None:
    row = _new_row("ord_core")
    with engine.begin() as conn:
        transition(conn, row, "IN_PROGRESS", EventSource.CONFIRM, {"paymentKey": row.payment_key})
    assert row.id is not None
    for status, balance in [("DONE", 10000), ("PARTIAL_CANCELED", 7000), ("PARTIAL_CANCELED", 4000), ("CANCELED", 0)]:
        with engine.begin() as conn:
            locked = lock_payment(conn, "ord_core")
            locked.method, locked.raw = "카드", {"status": status}
            transition(conn, locked, status, EventSource.CANCEL, {"to": status}, balance_amount=balance)
    with engine.begin() as conn:
        locked = lock_payment(conn, "ord_core")
        with pytest.raises(IllegalTransition):
            transition(conn, locked, "DONE", EventSource.RECONCILE)

    with engine.connect() as conn:
        final = lock_payment(conn, "ord_core")
        events = conn.execute(sa.text("SELECT from_status, to_status, source, detail FROM payment_event ORDER BY id"))
        rollup = conn.execute(sa.text("SELECT status, count, balance_sum FROM payment_daily ORDER BY status"))
        events_, rollup_ = [tuple(e) for e in events], [tuple(r) for r in rollup]
    assert (final.id, final.status, final.balance_amount, final.method, final.raw) == (
        row.id,
        "CANCELED",
        0,
        "카드",
        {"status": "CANCELED"},
    )
    assert (final.items, final.amount, final.created_at) == (ITEMS, 10000, row.created_at)
    assert final.updated_at > row.created_at and final.updated_at.tzinfo is not None
    assert [e[:3] for e in events_] == [
        (None, "IN_PROGRESS", "confirm"),
        ("IN_PROGRESS", "DONE", "cancel"),
        ("DONE", "PARTIAL_CANCELED", "cancel"),
        ("PARTIAL_CANCELED", "PARTIAL_CANCELED", "cancel"),
        ("PARTIAL_CANCELED", "CANCELED", "cancel"),
    ]
    assert [_json(e[3]) for e in events_] == [{"paymentKey": "pk_ord_core"}] + [
        {"to": s} for s in ("DONE", "PARTIAL_CANCELED", "PARTIAL_CANCELED", "CANCELED")
    ]
    assert rollup_ == [("CANCELED", 1, 0), ("DONE", 0, 0), ("IN_PROGRESS", 0, 0), ("PARTIAL_CANCELED", 0, 0)]


def test_a_twin_intent_fails_whole_and_leaves_no_event_or_rollup(engine: Engine) -> None:
    with engine.begin() as conn:
        transition(conn, _new_row("ord_twin"), "IN_PROGRESS", EventSource.CONFIRM)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        transition(conn, _new_row("ord_twin"), "IN_PROGRESS", EventSource.CONFIRM)
    with engine.connect() as conn:
        counts = [conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in ("payment", "payment_event")]
        rollup = [tuple(r) for r in conn.execute(sa.text("SELECT status, count, balance_sum FROM payment_daily"))]
    assert counts == [1, 1]
    assert rollup == [("IN_PROGRESS", 1, 10000)]


def _json(value: object) -> object:
    """SQLite gives a JSON column back as text through a textual SELECT; PostgreSQL as an object."""
    return json.loads(value) if isinstance(value, str) else value
