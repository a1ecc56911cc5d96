"""Refund: in full or in part, by an admin, one at a time per order, and never undone.

Money rules here:
- the Refund row, and so its Idempotency-Key, is written before Toss is called;
- the key is ``refund:{orderId}:{seq}``, ``seq`` being the order's own refund counter in our
  database. It is never derived from what Toss last told us (a stale answer could reproduce an
  earlier refund's key, and Toss replays a key's first answer whatever the body says), so it can
  never collide with an earlier, different refund;
- a refund whose answer was lost stays REQUESTED and is finished first, with its own key, by
  the next refund request or by reconciliation: it is refunded once, never twice. A request
  for the same amount is taken as its retry; a different amount is a new refund after it.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from payapp.db import run_db
from payapp.models import EventSource, Payment, PaymentStatus, Refund, RefundStatus, User, utcnow
from payapp.schemas import PaymentView
from payapp.toss import TossError

from ..errors import Code, ServiceError, not_found
from ..guards import require_admin
from ..inputs import CancelIn
from ..rows import saved_id
from .apply import ApplyJob
from .base import find_payment, key_of
from .tosscall import call_toss, refusal

REFUND_LOCK_WAIT = 60.0


def unanswered_refund(session: Session, payment_id: int) -> Refund | None:
    return session.exec(
        select(Refund)
        .where(Refund.payment_id == payment_id, Refund.status == RefundStatus.REQUESTED)
        .order_by(col(Refund.seq))
    ).first()


def new_refund(session: Session, payment: Payment, amount: int | None, reason: str, actor: str) -> Refund:
    seq = (session.exec(select(func.max(Refund.seq)).where(Refund.payment_id == payment.id)).one() or 0) + 1
    refund = Refund(
        payment_id=saved_id(payment),
        seq=seq,
        idempotency_key=f"refund:{payment.order_id}:{seq}",
        amount=amount,
        reason=reason,
        actor=actor,
    )
    session.add(refund)
    session.commit()
    return refund


def finish_refund(
    session: Session,
    refund_id: int,
    status: RefundStatus,
    transaction_key: str | None = None,
    failure_code: str | None = None,
) -> None:
    refund = session.get_one(Refund, refund_id)
    refund.status, refund.finished_at = status, utcnow()
    refund.transaction_key, refund.failure_code = transaction_key, failure_code
    session.add(refund)


class RefundJob(ApplyJob):
    async def cancel(self, actor: User, order_id: str, request: CancelIn) -> PaymentView:
        """Refund in full (no cancelAmount) or in part. Admins only; one job on an order at a time.

        A deposited 가상계좌 is refunded to ``refundReceiveAccount`` ({bank, accountNumber,
        holderName}); it is sent to Toss, never stored.
        """
        require_admin(actor, "관리자만 환불할 수 있습니다.")
        reason, amount = request.cancelReason, request.cancelAmount  # stripped, NUL-free; > 0
        account = request.refundReceiveAccount
        refund_account = account.model_dump() if account else None
        async with self.order_lock(order_id, REFUND_LOCK_WAIT) as locked:
            if not locked:
                raise ServiceError.of(Code.REFUND_IN_PROGRESS)
            payment = await find_payment(order_id)
            if payment is None:
                raise not_found()
            payment_id = saved_id(payment)
            earlier = await run_db(lambda s: unanswered_refund(s, payment_id))
            if earlier is not None:
                view = await self._send_refund(payment, earlier, refund_account)
                if earlier.amount == amount:
                    return view  # this request is that refund's retry: refunded once, not twice
                payment = await find_payment(order_id, must_exist=True)  # the new one goes on from here
            if payment.status == PaymentStatus.CANCELED:
                raise ServiceError.of(Code.ALREADY_CANCELED_PAYMENT)
            if payment.status == PaymentStatus.WAITING_FOR_DEPOSIT:
                # Nothing was paid in yet: Toss cancels the account as a whole, with no refund account.
                if amount is not None and amount != payment.balance_amount:
                    raise ServiceError.of(Code.NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT)
                refund = await run_db(lambda s: new_refund(s, payment, None, reason.strip(), actor.email))
                return await self._send_refund(payment, refund, None)
            if payment.status not in (PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED) or not payment.payment_key:
                raise ServiceError.of(Code.NOT_CANCELABLE_PAYMENT, status=payment.status)
            if payment.method == "가상계좌" and not refund_account:
                raise ServiceError.of(Code.REFUND_ACCOUNT_REQUIRED)
            if amount is not None and amount > payment.balance_amount:
                raise ServiceError.of(Code.CANCEL_AMOUNT_EXCEEDS_BALANCE, balance=payment.balance_amount)
            refund = await run_db(lambda s: new_refund(s, payment, amount, reason.strip(), actor.email))
            return await self._send_refund(payment, refund, refund_account)

    async def finish_unanswered_refund(self, order_id: str) -> bool:
        """Reconciliation: send an order's unanswered refund again with its own key (a replay if
        Toss did it). False when the order is busy, Toss can't be reached, or there is none."""
        async with self.order_lock(order_id, 0) as locked:
            payment = await find_payment(order_id) if locked else None
            if payment is None:
                return False
            payment_id = saved_id(payment)
            earlier = await run_db(lambda s: unanswered_refund(s, payment_id))
            if earlier is None:
                return False
            try:
                await self._send_refund(payment, earlier)
            except ServiceError:
                return False
            return True

    async def _send_refund(
        self, payment: Payment, refund: Refund, refund_account: dict[str, str] | None = None
    ) -> PaymentView:
        """Ask Toss for ``refund`` under its own key; apply and close it in one transaction."""
        try:
            answer = await call_toss(
                lambda _left: self.toss.cancel(
                    key_of(payment), refund.reason, refund.amount, refund.idempotency_key, refund_account
                ),
                retries=self.retries,
                backoff=self.backoff,
            )
        except TossError as err:
            if err.retryable:  # unknown: the row stays REQUESTED, to be finished with the same key
                raise ServiceError.of(Code.TOSS_UNAVAILABLE) from None
            code = err.code

            def failed(session: Session) -> None:
                finish_refund(session, saved_id(refund), RefundStatus.FAILED, failure_code=code)
                session.commit()

            await run_db(failed)
            raise refusal(err) from None
        before = {c.get("transactionKey") for c in (payment.raw or {}).get("cancels") or []}
        made = [c.transactionKey for c in answer.cancels or [] if c.transactionKey not in before]
        detail = {
            "cancelAmount": refund.amount if refund.amount is not None else payment.balance_amount,
            "cancelReason": refund.reason,
            "actor": refund.actor,
            "refundSeq": refund.seq,
        }
        return await self._apply_toss_answer(
            payment.order_id,
            answer,
            EventSource.CANCEL,
            detail,
            also=lambda s, _p: finish_refund(
                s, saved_id(refund), RefundStatus.DONE, transaction_key=made[-1] if made else answer.lastTransactionKey
            ),
        )
