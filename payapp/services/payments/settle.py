"""Settle: bring one order in line with Toss (reconciliation, webhooks, a polling page, admin sync).

Money rules here:
- a failed lookup is never a reason to mark a payment failed (ABORTED could not take Toss's
  DONE later);
- an IN_PROGRESS payment Toss still calls IN_PROGRESS is confirmed again with the order's one
  Idempotency-Key, which is safe: Toss replays a confirm it already did. The buyer authenticated
  it, and Toss's 10-minute window is still open, so finishing it is what the buyer agreed to;
- settle, confirm and refund of one order never run at once (the order lock).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from payapp.db import run_db
from payapp.models import EventSource, Payment, PaymentStatus, User
from payapp.schemas import PaymentView
from payapp.toss import TossError

from ..errors import not_found
from ..guards import require_owner_or_admin
from .base import find_payment, key_of, log
from .confirm import ConfirmJob, confirm_key
from .tosscall import KEY_ERRORS


class SettleJob(ConfirmJob):
    async def settle(self, order_id: str, source: EventSource = EventSource.RECONCILE) -> PaymentView:
        """Read the payment at Toss and apply it; the row as it is when Toss can't be asked."""
        payment = await find_payment(order_id)
        if payment is None:
            raise not_found()
        async with self.order_lock(order_id, 0) as locked:
            if not locked:  # another job is talking to Toss about it right now
                return PaymentView.of(payment)
            payment = await find_payment(order_id, must_exist=True)  # as the last holder left it
            try:
                answer = await self.toss.get_payment(key_of(payment))
            except TossError as err:
                log.warning("settle %s: lookup failed: %s", order_id, err.code)
                return PaymentView.of(payment)
            if answer.status == PaymentStatus.IN_PROGRESS and payment.status == PaymentStatus.IN_PROGRESS:
                try:
                    answer = await self.toss.confirm(key_of(payment), order_id, payment.amount, confirm_key(order_id))
                except TossError as err:
                    if err.retryable or err.code in KEY_ERRORS:
                        log.warning("settle %s: confirm: %s", order_id, err.code)
                        return await self._apply_toss_answer(order_id, answer, source)  # records that Toss answered
                    # Toss said no to this confirm: what became of the payment is Toss's to say
                    # (ALREADY_PROCESSED_PAYMENT: a confirm got there first → DONE; an expired
                    # session → EXPIRED). Only a payment Toss still calls IN_PROGRESS is aborted.
                    view = await self._look_up_and_apply(order_id, key_of(payment), source)
                    if view is not None and view.status == PaymentStatus.IN_PROGRESS:
                        await self._abort(order_id, err)
                        return PaymentView.of(await find_payment(order_id, must_exist=True))
                    return view or PaymentView.of(payment)
            return await self._apply_toss_answer(order_id, answer, source)

    async def get(self, actor: User, order_id: str) -> PaymentView:
        """The order's Payment; one still IN_PROGRESS (a confirm answered "pending") is first
        settled with Toss, so a client polling this route sees it finish."""
        payment = await find_payment(order_id)
        if payment is None:
            raise not_found()
        require_owner_or_admin(actor, payment.user_id)
        if payment.status == PaymentStatus.IN_PROGRESS:
            return await self.settle(order_id)
        return PaymentView.of(payment)

    async def list_for_user(self, user: User, limit: int = 100) -> list[PaymentView]:
        def work(session: Session) -> list[PaymentView]:
            rows = session.exec(
                select(Payment)
                .where(Payment.user_id == user.id)
                .order_by(col(Payment.created_at).desc(), col(Payment.id).desc())
                .limit(limit)
            )
            return [PaymentView.of(p) for p in rows]

        return await run_db(work)
