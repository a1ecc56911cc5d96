"""The one place a Payment's status changes: a transition table and an event per move."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from payapp.models import EventSource, Payment, PaymentEvent, PaymentStatus, utcnow

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
               detail: dict[str, Any] | None = None) -> PaymentEvent:
    """Move ``payment`` to ``to_status`` and append the event; refuses illegal moves.

    The caller commits. ``payment.id`` must be set (flush first for a new row).
    """
    from_status = payment.status or None
    if not can_move(from_status, to_status):
        raise IllegalTransition(f"{payment.order_id}: {from_status} → {to_status} is not allowed")
    payment.status = to_status
    payment.updated_at = utcnow()
    session.add(payment)
    event = PaymentEvent(payment_id=payment.id, from_status=from_status, to_status=to_status,
                         source=source, detail=detail or {})
    session.add(event)
    return event
