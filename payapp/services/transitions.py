"""The one place a Payment's status and balance change: a transition table, an event per move,
and the daily rollup (payapp/services/rollup.py) moved in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from payapp.models import EventSource, Payment, PaymentEvent, PaymentStatus, utcnow

from .rollup import record_move

S = PaymentStatus
ALLOWED: dict[str | None, frozenset[str]] = {
    None: frozenset({S.IN_PROGRESS}),
    # Toss may report anything final for an in-flight confirm (reconcile, webhook).
    S.IN_PROGRESS: frozenset({S.DONE, S.ABORTED, S.EXPIRED, S.CANCELED, S.PARTIAL_CANCELED}),
    S.DONE: frozenset({S.PARTIAL_CANCELED, S.CANCELED}),
    # A further partial cancel keeps the status and moves the balance.
    S.PARTIAL_CANCELED: frozenset({S.PARTIAL_CANCELED, S.CANCELED}),
}
FINAL = frozenset({S.ABORTED, S.EXPIRED, S.CANCELED})


class IllegalTransition(Exception):
    pass


def can_move(from_status: str | None, to_status: str) -> bool:
    return to_status in ALLOWED.get(from_status, frozenset())


def transition(session: Session, payment: Payment, to_status: str, source: EventSource,
               detail: dict[str, Any] | None = None, *, balance_amount: int | None = None) -> PaymentEvent:
    """Move ``payment`` to ``to_status`` (and ``balance_amount``, if given) and append the event;
    refuses illegal moves. Also moves the payment's share of ``payment_daily``.

    Set the balance here, never on the row directly: the rollup is moved by the old and new
    (status, balance) this function sees. The caller commits; it should hold the row locked
    (SELECT … FOR UPDATE) so the old values are the committed ones. ``payment.id`` must be set
    (flush first for a new row).
    """
    from_status = payment.status or None
    if not can_move(from_status, to_status):
        raise IllegalTransition(f"{payment.order_id}: {from_status} → {to_status} is not allowed")
    from_balance = payment.balance_amount
    payment.status = to_status
    if balance_amount is not None:
        payment.balance_amount = balance_amount
    payment.updated_at = utcnow()
    session.add(payment)
    record_move(session, payment, from_status, from_balance)
    event = PaymentEvent(payment_id=payment.id, from_status=from_status, to_status=to_status,
                         source=source, detail=detail or {})
    session.add(event)
    return event
