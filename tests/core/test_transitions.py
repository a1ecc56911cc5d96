"""Every status change goes through one table that refuses illegal moves and logs an event."""

from __future__ import annotations

import pytest
from sqlmodel import Session, SQLModel, create_engine, select

from payapp.models import EventSource, Payment, PaymentEvent, User
from payapp.services.transitions import ALLOWED, IllegalTransition, can_move, transition

STATUSES = ["IN_PROGRESS", "DONE", "PARTIAL_CANCELED", "CANCELED", "ABORTED", "EXPIRED"]


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(User(id=1, email="t@example.com", password_hash="x"))
        s.commit()
        yield s


def _payment(session: Session) -> Payment:
    p = Payment(order_id="ord_transition", order_name="t", amount=1000, balance_amount=1000, status="", user_id=1)
    session.add(p)
    session.flush()
    return p


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
def test_illegal_moves_are_refused(session, src, dst):
    p = _payment(session)
    p.status = src
    with pytest.raises(IllegalTransition):
        transition(session, p, dst, EventSource.ADMIN)
    assert p.status == src
    assert session.exec(select(PaymentEvent)).all() == []


def test_each_move_appends_one_event(session):
    p = _payment(session)
    for status in ["IN_PROGRESS", "DONE", "PARTIAL_CANCELED", "PARTIAL_CANCELED", "CANCELED"]:
        transition(session, p, status, EventSource.CANCEL, {"n": status})
    session.commit()
    events = session.exec(select(PaymentEvent).order_by(PaymentEvent.id)).all()
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
