"""Confirm: the buyer's authenticated payment, confirmed at Toss at most once per order.

Money rules here:
- a confirm whose amount differs from the prepared order never reaches Toss;
- the Payment row (IN_PROGRESS) is written *before* Toss is called, so a charge is never lost;
- one order is claimed by exactly one confirm; twins and refreshes get that payment back;
- an unknown outcome (timeout, 5xx, our keys refused) stays IN_PROGRESS ("승인 확인 중") until
  Toss says otherwise; reconciliation finishes it with the same Idempotency-Key.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from payapp.db import run_tx
from payapp.failpoints import failpoint
from payapp.models import EventSource, PaymentStatus, User, utcnow
from payapp.schemas import ConfirmResult, PaymentView
from payapp.store.prepared import PreparedOrder
from payapp.toss import TossError

from ..errors import Code, ServiceError, amount_mismatch, not_found
from ..guards import require_owner
from ..inputs import ConfirmIn
from ..payment_row import PaymentRow, lock_payment
from ..transitions import can_move, transition
from .apply import ApplyJob
from .base import find_payment, log
from .tosscall import KEY_ERRORS, call_toss, configuration_error, refusal

CONFIRM_LOCK_WAIT = 5.0  # only a settle of a row this confirm wrote could hold it


def confirm_key(order_id: str) -> str:
    """The confirm's Idempotency-Key: one per order, so every retry and settle replays it."""
    return f"confirm:{order_id}"


class ConfirmJob(ApplyJob):
    async def confirm(self, user: User, request: ConfirmIn) -> ConfirmResult:
        """Confirm the buyer's authenticated payment at Toss, at most once per order."""
        payment_key, order_id, amount = request.paymentKey, request.orderId, request.amount

        prepared = await self.store.get(order_id)
        if prepared is None:
            return await self._what_it_became(user, payment_key, order_id, amount=amount)
        require_owner(user, prepared.user_id)  # a stranger is never told that the order exists
        if amount != prepared.amount:
            raise amount_mismatch()
        if not await self.store.claim(order_id):
            return await self._what_it_became(user, payment_key, order_id, prepared)
        failpoint("confirm.after_claim")
        return await self._confirm_claimed(user, prepared, payment_key, CONFIRM_LOCK_WAIT)

    async def _confirm_claimed(
        self, user: User, prepared: PreparedOrder, payment_key: str, wait: float
    ) -> ConfirmResult:
        """The claimed order's confirm: the intent row, then Toss, under the order lock."""
        order_id = prepared.order_id
        async with self.order_lock(order_id, wait) as locked:
            if not locked:  # another confirm of it is at work (see _what_it_became's take-over)
                return self._pending(prepared, payment_key)
            try:
                payment = await run_tx(lambda conn: self._insert_intent(conn, prepared, payment_key))
            except IntegrityError:
                if await find_payment(order_id):
                    return await self._what_it_became(user, payment_key, order_id)
                # The paymentKey is another order's: refuse, and give the order back to its buyer.
                await self.store.release(order_id)
                raise ServiceError.of(Code.INVALID_REQUEST, "이 paymentKey는 다른 주문의 결제입니다.") from None
            except BaseException:
                await self.store.release(order_id)  # nothing durable happened: the order stays payable
                raise
            # The row now carries the order: its prepared copy goes with the lock's release (one
            # Redis round trip for both). Until then a twin finds it claimed, then the row.
            locked.drop.append(self.store.key(order_id))
            failpoint("confirm.after_intent")
            return await self._confirm_at_toss(payment, payment_key)

    @staticmethod
    def _insert_intent(conn: Connection, prepared: PreparedOrder, payment_key: str) -> PaymentRow:
        """The durable intent: the row (IN_PROGRESS), its event and the rollup, one transaction."""
        now = utcnow()
        payment = PaymentRow(
            order_id=prepared.order_id,
            payment_key=payment_key,
            order_name=prepared.order_name,
            amount=prepared.amount,
            balance_amount=prepared.amount,
            status="",
            user_id=prepared.user_id,
            # OrderItem is a TypedDict, which the row's items (list[dict]) can't accept: the fix is the
            # model's own type, list[OrderItem], in payapp/models.py (not a services file).
            items=prepared.items,  # type: ignore[arg-type]
            created_at=now,
            updated_at=now,
        )
        transition(conn, payment, PaymentStatus.IN_PROGRESS, EventSource.CONFIRM, {"paymentKey": payment_key})
        return payment

    async def _confirm_at_toss(self, payment: PaymentRow, payment_key: str) -> ConfirmResult:
        """Confirm with retries under one deadline: the buyer waits at most ``confirm_deadline``.

        What is still unknown then is answered as pending, never as failed.
        """
        order_id = payment.order_id
        try:
            answer = await call_toss(
                lambda left: self.toss.confirm(
                    payment_key, order_id, payment.amount, confirm_key(order_id), timeout=left
                ),
                retries=self.retries,
                backoff=self.backoff,
                deadline=self.confirm_deadline,
            )
        except TossError as err:
            failpoint("confirm.after_toss")
            if err.retryable:
                log.warning("confirm %s still unknown: %s", order_id, err.code)
                return ConfirmResult(payment=PaymentView.of(payment), pending=True)
            if err.code == "ALREADY_PROCESSED_PAYMENT":
                view = await self._look_up_and_apply(order_id, payment_key, EventSource.CONFIRM)
                view = view or PaymentView.of(payment)
                return ConfirmResult(payment=view, pending=view.status == PaymentStatus.IN_PROGRESS)
            if err.code in KEY_ERRORS:
                # Our keys are wrong, not the buyer's card: Toss did nothing, so nothing is marked
                # failed; reconciliation confirms it once the keys are fixed (what the buyer agreed to).
                log.error("Toss refused our credentials (%s) confirming %s", err.code, order_id)
                raise configuration_error() from None
            await self._abort(order_id, err)
            raise refusal(err) from None
        failpoint("confirm.after_toss")
        return ConfirmResult(payment=await self._apply_toss_answer(order_id, answer, EventSource.CONFIRM))

    async def _what_it_became(
        self,
        user: User,
        payment_key: str,
        order_id: str,
        prepared: PreparedOrder | None = None,
        amount: int | None = None,
    ) -> ConfirmResult:
        """No order left to claim: answer with the Payment it became (refresh, twin).

        ``amount`` is the caller's, checked when no prepared order was there to check it
        against: a success URL whose amount was edited after the payment is refused, not
        answered with a receipt.
        """
        payment = await find_payment(order_id)
        if payment is None:
            if prepared is None:
                raise not_found()
            if await self._claimer_gone(order_id):
                # Whoever claimed the order died before writing its row (it holds the order lock
                # from before the row until after Toss): nothing was confirmed, so this confirm
                # takes its place. A twin doing the same is stopped by the lock and the unique row.
                log.warning("the confirm that claimed %s is gone: taking it over", order_id)
                return await self._confirm_claimed(user, prepared, payment_key, 0)
            return self._pending(prepared, payment_key)  # the winner is writing the row right now
        require_owner(user, payment.user_id)
        if payment.payment_key != payment_key:
            raise not_found()
        if amount is not None and amount != payment.amount:
            raise amount_mismatch()
        if payment.status == PaymentStatus.IN_PROGRESS:
            return ConfirmResult(payment=PaymentView.of(payment), pending=True)
        if payment.status in (PaymentStatus.ABORTED, PaymentStatus.EXPIRED):
            failed = ServiceError.of(Code.PAYMENT_FAILED, payment.failure_message)
            if payment.failure_code:  # the code Toss refused it with
                raise ServiceError.passthrough(payment.failure_code, failed.message, failed.status)
            raise failed
        return ConfirmResult(payment=PaymentView.of(payment))

    @staticmethod
    def _pending(prepared: PreparedOrder, payment_key: str) -> ConfirmResult:
        return ConfirmResult(
            pending=True,
            payment=PaymentView(
                orderId=prepared.order_id,
                paymentKey=payment_key,
                orderName=prepared.order_name,
                amount=prepared.amount,
                balanceAmount=prepared.amount,
                method=None,
                status=PaymentStatus.IN_PROGRESS,
                approvedAt=None,
                items=prepared.items,
            ),
        )

    async def _claimer_gone(self, order_id: str) -> bool:
        """The order is claimed but has no row, and nobody holds its lock: its confirm died."""
        async with self.order_lock(order_id, 0) as free:
            return free is not None and await find_payment(order_id) is None

    async def _abort(self, order_id: str, err: TossError) -> None:
        """Toss refused the confirm: the payment is ABORTED with Toss's code and message."""

        def work(conn: Connection) -> None:
            # Locked like apply's read: the rollup moves from the status read here.
            payment = lock_payment(conn, order_id)
            if not can_move(payment.status, PaymentStatus.ABORTED):
                # Settled meanwhile (a reconcile or webhook got there first): Toss's answer wins.
                log.warning("not aborting %s: already %s", order_id, payment.status)
                return
            payment.failure_code, payment.failure_message = err.code, err.message[:510]
            transition(  # writes the row too, with its failure
                conn, payment, PaymentStatus.ABORTED, EventSource.CONFIRM, {"code": err.code, "message": err.message}
            )

        await run_tx(work)
