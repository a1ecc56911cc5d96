"""The one place a Payment's status and balance change: a transition table, an event per move,
and the daily rollup (payapp/services/rollup.py) moved in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from payapp.models import EventSource, Payment, PaymentEvent, PaymentStatus, utcnow

from .rollup import record_move
from .rows import saved_id

ALLOWED: dict[str | None, frozenset[str]] = {
    None: frozenset({PaymentStatus.IN_PROGRESS}),
    # Toss may report anything final for an in-flight confirm (reconcile, webhook).
    PaymentStatus.IN_PROGRESS: frozenset(
        {
            PaymentStatus.DONE,
            PaymentStatus.ABORTED,
            PaymentStatus.EXPIRED,
            PaymentStatus.CANCELED,
            PaymentStatus.PARTIAL_CANCELED,
            PaymentStatus.WAITING_FOR_DEPOSIT,
        }
    ),
    # 가상계좌: issued at confirm, then paid (DONE), cancelled before the deposit (full only), or
    # seen only after a deposit and a refund (a late settle).
    PaymentStatus.WAITING_FOR_DEPOSIT: frozenset(
        {PaymentStatus.DONE, PaymentStatus.CANCELED, PaymentStatus.PARTIAL_CANCELED, PaymentStatus.EXPIRED}
    ),
    PaymentStatus.DONE: frozenset({PaymentStatus.PARTIAL_CANCELED, PaymentStatus.CANCELED}),
    # A further partial cancel keeps the status and moves the balance.
    PaymentStatus.PARTIAL_CANCELED: frozenset({PaymentStatus.PARTIAL_CANCELED, PaymentStatus.CANCELED}),
}


class IllegalTransition(Exception):
    pass


def can_move(from_status: str | None, to_status: str) -> bool:
    return to_status in ALLOWED.get(from_status, frozenset())


def transition(
    session: Session,
    payment: Payment,
    to_status: str,
    source: EventSource,
    detail: dict[str, Any] | None = None,
    *,
    balance_amount: int | None = None,
) -> PaymentEvent:
    """Move ``payment`` to ``to_status`` (and ``balance_amount``, if given) and append the event;
    refuses illegal moves. Also moves the payment's share of ``payment_daily``.

    Set the balance here, never on the row directly: the rollup is moved by the old and new
    (status, balance) this function sees. The caller commits; it should hold the row locked
    (SELECT … FOR UPDATE) so the old values are the committed ones. A new row (status "", no
    id yet) is inserted here with its first status, so that the event can point at it.

    Statements: the rollup's one upsert now; the row's changes and the event at the caller's
    commit (one flush, not one per step).
    """
    from_status = payment.status or None
    if not can_move(from_status, to_status):
        raise IllegalTransition(f"{payment.order_id}: {from_status} → {to_status} is not allowed")
    from_balance = payment.balance_amount
    now = utcnow()
    payment.status = to_status
    if balance_amount is not None:
        payment.balance_amount = balance_amount
    payment.updated_at = now
    session.add(payment)
    if payment.id is None:
        session.flush()
    record_move(session, payment, from_status, from_balance)
    # Every field given: SQLModel would otherwise inspect each default factory's signature.
    event = PaymentEvent(
        payment_id=saved_id(payment),
        from_status=from_status,
        to_status=to_status,
        source=source,
        detail=detail or {},
        at=now,
    )
    session.add(event)
    return event
