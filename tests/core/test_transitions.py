"""Every status change goes through one table that refuses illegal moves and logs an event."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from payapp.models import EventSource, utcnow
from payapp.services.payment_row import EVENTS, PaymentRow, insert_payment
from payapp.services.transitions import ALLOWED, IllegalTransition, can_move, transition

STATUSES = ["IN_PROGRESS", "DONE", "PARTIAL_CANCELED", "CANCELED", "ABORTED", "EXPIRED"]


@pytest.fixture
def conn(tmp_path) -> Iterator[Connection]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    SQLModel.metadata.create_all(engine)
    with engine.begin() as c:
        c.execute(
            sa.insert(SQLModel.metadata.tables["user"]),
            {"id": 1, "email": "t@example.com", "password_hash": "x", "role": "customer", "created_at": utcnow()},
        )
    with engine.begin() as c:
        yield c
    engine.dispose()


def _payment(conn: Connection, status: str = "") -> PaymentRow:
    now = utcnow()
    p = PaymentRow(
        order_id="ord_transition",
        payment_key=None,
        order_name="t",
        amount=1000,
        balance_amount=1000,
        status=status,
        user_id=1,
        created_at=now,
        updated_at=now,
    )
    if status:  # an existing row (a new one is inserted by its first transition)
        insert_payment(conn, p)
    return p


def _events(conn: Connection) -> list[sa.Row]:
    return list(conn.execute(sa.select(EVENTS).order_by(EVENTS.c.id)))


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("DONE", "IN_PROGRESS"),
        ("CANCELED", "DONE"),
        ("ABORTED", "DONE"),
        ("EXPIRED", "IN_PROGRESS"),
        ("CANCELED", "PARTIAL_CANCELED"),
        ("DONE", "ABORTED"),
        ("PARTIAL_CANCELED", "DONE"),
    ],
)
def test_illegal_moves_are_refused(conn, src, dst):
    p = _payment(conn, src)
    with pytest.raises(IllegalTransition):
        transition(conn, p, dst, EventSource.ADMIN)
    assert p.status == src
    assert _events(conn) == []


def test_each_move_appends_one_event(conn):
    p = _payment(conn)
    for status in ["IN_PROGRESS", "DONE", "PARTIAL_CANCELED", "PARTIAL_CANCELED", "CANCELED"]:
        transition(conn, p, status, EventSource.CANCEL, {"n": status})
    events = _events(conn)
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "IN_PROGRESS"),
        ("IN_PROGRESS", "DONE"),
        ("DONE", "PARTIAL_CANCELED"),
        ("PARTIAL_CANCELED", "PARTIAL_CANCELED"),
        ("PARTIAL_CANCELED", "CANCELED"),
    ]
    assert all(e.at.tzinfo is not None for e in events)


def test_final_states_have_no_way_out():
    for final in ("CANCELED", "ABORTED", "EXPIRED"):
        assert final not in ALLOWED
        assert not any(can_move(final, s) for s in STATUSES)
