"""The one place a Payment's status and balance change: a transition table, an event per move,
and the daily rollup (payapp/services/rollup.py) moved in the same transaction.

The payment jobs hand it a ``PaymentRow`` and a Core connection (``payapp/services/payment_row.py``:
through the ORM's unit of work a confirm's two transactions cost ~3× the CPU). A caller holding
a Session passes its ``session.connection()``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from payapp.models import EventSource, PaymentStatus, utcnow

from .payment_row import PaymentRow, write_moved_row
from .rollup import move_rows

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
    conn: Connection,
    payment: PaymentRow,
    to_status: str,
    source: EventSource,
    detail: dict[str, Any] | None = None,
    *,
    balance_amount: int | None = None,
) -> None:
    """Move ``payment`` to ``to_status`` (and ``balance_amount``, if given) and append the event;
    refuses illegal moves. Also moves the payment's share of ``payment_daily``.

    Set the balance here, never on the row directly: the rollup is moved by the old and new
    (status, balance) this function sees. The caller commits; it should hold the row locked
    (SELECT … FOR UPDATE) so the old values are the committed ones.

    The row is written here, with every other change the caller made to it first: INSERT when
    it is new (no id yet), else its MUTABLE columns; with the rollup and the event, one
    statement on PostgreSQL (``payment_row.write_moved_row``).
    """
    from_status = payment.status or None
    if not can_move(from_status, to_status):
        raise IllegalTransition(f"{payment.order_id}: {from_status} → {to_status} is not allowed")
    from_balance = payment.balance_amount
    now = utcnow()
    payment.status = str(to_status)
    if balance_amount is not None:
        payment.balance_amount = balance_amount
    payment.updated_at = now
    rollup = move_rows(payment, from_status, from_balance)
    event = {
        "from_status": from_status,
        "to_status": payment.status,
        "source": str(source),
        "detail": detail or {},
        "at": now,
    }
    write_moved_row(conn, payment, rollup, event)
