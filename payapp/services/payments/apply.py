"""Applying what Toss says about a payment to our row, through the transition table.

Money rules here:
- an answer about another order or another paymentKey is never written onto this one;
- an answer *older* than what we hold is ignored. Staleness is read from Toss's own data, not
  from arrival order: every cancel carries a ``transactionKey``, so an answer that lacks a
  cancel we already hold (or whose balance is above ours after a cancel) is from before it.
  A stale answer can therefore never move a balance back up, or make a refund look undone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import Session

from payapp.db import run_db, run_tx
from payapp.models import EventSource, PaymentStatus, utcnow
from payapp.schemas import PaymentView
from payapp.toss import TossError, TossPayment

from ..payment_row import PaymentRow, lock_payment, update_payment
from ..transitions import can_move, transition
from .base import PaymentJobs, log

UNSETTLED = frozenset({PaymentStatus.IN_PROGRESS, PaymentStatus.WAITING_FOR_DEPOSIT})
CANCELED_STATES = frozenset({PaymentStatus.CANCELED, PaymentStatus.PARTIAL_CANCELED})


def cancel_keys(raw: Mapping[str, Any] | None) -> set[str]:
    """The transactionKeys of the cancels in a stored Toss Payment object."""
    return {c["transactionKey"] for c in (raw or {}).get("cancels") or [] if c.get("transactionKey")}


def staleness(payment: PaymentRow, answer: TossPayment) -> str | None:
    """Why ``answer`` is older than what ``payment`` holds; None when it is not."""
    ours = cancel_keys(payment.raw)
    theirs = {c.transactionKey for c in answer.cancels or [] if c.transactionKey}
    if missing := ours - theirs:
        return f"it lacks cancel(s) {sorted(missing)} that we hold"
    if payment.status in CANCELED_STATES and answer.balanceAmount > payment.balance_amount:
        return f"its balance {answer.balanceAmount} is above ours {payment.balance_amount}"
    return None


def apply_answer(
    db: Connection | Session,
    order_id: str,
    answer: TossPayment,
    source: EventSource,
    detail: dict[str, Any] | None = None,
) -> PaymentRow:
    """Write Toss's ``answer`` onto the order's row (locked FOR UPDATE); the caller commits.

    A move of status or balance goes through ``transition`` (event and rollup in the same
    transaction); an illegal or stale one is logged and skipped. ``checked_at`` records that
    Toss answered, whatever it said. Core statements, on a session's connection if given one.
    """
    conn = db.connection() if isinstance(db, Session) else db
    payment = lock_payment(conn, order_id)
    if answer.orderId != order_id or (payment.payment_key and answer.paymentKey != payment.payment_key):
        log.error("Toss answered for %s/%s while settling %s: ignored", answer.orderId, answer.paymentKey, order_id)
        return payment
    payment.checked_at = utcnow()
    if answer.totalAmount != payment.amount:
        log.error("Toss amount %s differs from ours %s for %s", answer.totalAmount, payment.amount, order_id)
    if reason := staleness(payment, answer):
        log.warning("ignored an older Toss answer for %s: %s", order_id, reason)
        update_payment(conn, payment)
        return payment
    moved = answer.status != payment.status or answer.balanceAmount != payment.balance_amount
    if moved and not can_move(payment.status, answer.status):
        log.warning("ignored Toss status %s for %s (ours %s)", answer.status, order_id, payment.status)
        update_payment(conn, payment)
        return payment
    payment.payment_key = answer.paymentKey
    payment.method = answer.method
    payment.approved_at = answer.approvedAt
    if answer.failure:
        payment.failure_code, payment.failure_message = answer.failure.code, answer.failure.message[:510]
    payment.raw = answer.model_dump(mode="json")
    if answer.status not in UNSETTLED:  # the status it has once this answer is applied
        payment.next_check_at, payment.check_failures = None, 0
    if not moved:
        update_payment(conn, payment)
        return payment
    transition(  # writes the row too, with every change above
        conn,
        payment,
        answer.status,
        source,
        {"balanceAmount": answer.balanceAmount, "lastTransactionKey": answer.lastTransactionKey, **(detail or {})},
        balance_amount=answer.balanceAmount,
    )
    return payment


class ApplyJob(PaymentJobs):
    async def _apply_toss_answer(
        self,
        order_id: str,
        answer: TossPayment,
        source: EventSource,
        detail: dict[str, Any] | None = None,
        also: Callable[[Session, PaymentRow], None] | None = None,
    ) -> PaymentView:
        """``apply_answer`` in a thread; ``also(session, payment)`` runs in the same transaction."""
        if also is None:  # a bare connection: no session to build (the confirm path)
            return await run_tx(lambda conn: PaymentView.of(apply_answer(conn, order_id, answer, source, detail)))

        def work(session: Session) -> PaymentView:
            payment = apply_answer(session, order_id, answer, source, detail)
            also(session, payment)
            session.commit()
            return PaymentView.of(payment)

        return await run_db(work)

    async def _look_up_and_apply(self, order_id: str, payment_key: str, source: EventSource) -> PaymentView | None:
        """Ask Toss for the payment (by paymentKey) and apply it; None when the lookup failed.

        By paymentKey, not orderId: an order can carry several payments at Toss (windows the
        buyer left), and ours is the one we confirmed.
        """
        try:
            answer = await self.toss.get_payment(payment_key)
        except TossError as err:
            # A failed lookup says nothing about the payment (wrong keys, Toss down).
            log.warning("lookup of %s failed: %s", order_id, err.code)
            return None
        return await self._apply_toss_answer(order_id, answer, source)
