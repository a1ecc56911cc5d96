"""PaymentService: prepare → confirm → cancel, settle (reconcile) and webhooks.

The rules that make this safer than Toss's samples:
- the amount is the server's price × quantity, fixed at prepare time;
- a confirm whose amount differs from the prepared one never reaches Toss;
- a Payment row (IN_PROGRESS) is written *before* Toss is called, so a charge is never lost;
- one order is claimed by exactly one confirm; twins and refreshes get that payment back;
- an unknown outcome (timeout, 5xx) stays IN_PROGRESS ("승인 확인 중") until Toss says otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import LockError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from payapp.db import run_db
from payapp.models import EventSource, Payment, PaymentStatus, Product, Role, User
from payapp.schemas import ConfirmResult, PaymentView, PreparedView
from payapp.store.prepared import PreparedOrder, PreparedOrderStore
from payapp.toss import TossClient, TossError, TossPayment

from .errors import ServiceError, amount_mismatch, forbidden, not_found
from .transitions import can_move, transition

log = logging.getLogger(__name__)

ORDER_ID_RE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
PAYMENT_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
MAX_LINES = 20
MAX_ID = 2**31 - 1  # PostgreSQL integer; SQLite would overflow at 2**63
CONFIRM_LOCK = "payapp:confirming:"
KEY_ERRORS = frozenset({"UNAUTHORIZED_KEY", "INCORRECT_BASIC_AUTH_FORMAT", "INVALID_API_KEY"})
CANCEL_LOCK = "payapp:cancel-lock:"
S = PaymentStatus


def parse_amount(value: Any) -> int:
    if isinstance(value, bool):
        raise ServiceError("INVALID_REQUEST", "amount는 정수(원)여야 합니다.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ServiceError("INVALID_REQUEST", "amount는 정수(원)여야 합니다.")


def order_name_for(names: Sequence[str]) -> str:
    """"텀블러" for one line, "텀블러 외 2건" for three; at most 100 characters."""
    first = names[0]
    suffix = f" 외 {len(names) - 1}건" if len(names) > 1 else ""
    return first[: 100 - len(suffix)] + suffix


async def find_payment(order_id: str, must_exist: bool = False) -> Payment | None:
    """The order's Payment row (None if there is none; ``must_exist``: raise instead)."""
    def work(session: Session) -> Payment | None:
        rows = session.exec(select(Payment).where(Payment.order_id == order_id))
        return rows.one() if must_exist else rows.first()

    return await run_db(work)


def unavailable(product_id: int) -> ServiceError:
    return ServiceError("PRODUCT_NOT_AVAILABLE", f"판매 중이 아닌 상품입니다 (productId {product_id}).")


def cancel_key(payment: Payment, amount: int | None) -> str:
    """The Idempotency-Key of a refund: the same for a retry of this refund, new for the next one.

    It is built from what Toss last told us (its ``cancels[]``) and from the request, so a
    refund whose response was lost and that was later learned by a sync or a webhook
    does not make the next refund replay it: Toss replays a key's first answer whatever
    the body says.
    """
    done = len((payment.raw or {}).get("cancels") or [])
    return f"cancel:{payment.order_id}:{done + 1}:{payment.balance_amount}:{'all' if amount is None else amount}"


class PaymentService:
    def __init__(self, store: PreparedOrderStore, toss: TossClient, redis: aioredis.Redis,
                 confirm_retries: int = 3, backoff_seconds: float = 0.2, confirm_deadline: float = 8.0):
        self.store = store
        self.toss = toss
        self.redis = redis
        self.retries = confirm_retries
        self.backoff = backoff_seconds
        self.confirm_deadline = confirm_deadline

    # ---- prepare -------------------------------------------------------------------
    async def prepare(self, user: User, items: Any) -> PreparedView:
        """Price the cart from the Product table and keep the order in Redis for 10 minutes."""
        lines = self._parse_items(items)

        def load(session: Session) -> list[Product]:
            return list(session.exec(select(Product).where(col(Product.id).in_(list(lines)))))

        products = {p.id: p for p in await run_db(load)}
        for product_id in lines:
            product = products.get(product_id)
            if product is None or not product.active:
                raise unavailable(product_id)
        order_items = [
            {"productId": pid, "name": products[pid].name, "price": products[pid].price, "quantity": qty}
            for pid, qty in lines.items()
        ]
        amount = sum(i["price"] * i["quantity"] for i in order_items)
        if amount <= 0:
            raise ServiceError("INVALID_REQUEST", "결제 금액이 0원입니다.")
        order = PreparedOrder(order_id="ord_" + secrets.token_urlsafe(18),
                              order_name=order_name_for([i["name"] for i in order_items]),
                              amount=amount, user_id=user.id, items=order_items)
        await self.store.save(order)
        return PreparedView(orderId=order.order_id, orderName=order.order_name, amount=order.amount)

    @staticmethod
    def _parse_items(items: Any) -> dict[int, int]:
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_LINES:
            raise ServiceError("INVALID_REQUEST", f"items는 1개 이상 {MAX_LINES}개 이하의 배열이어야 합니다.")
        lines: dict[int, int] = {}
        for item in items:
            pid = item.get("productId") if isinstance(item, dict) else None
            qty = item.get("quantity", 1) if isinstance(item, dict) else None
            if not isinstance(pid, int) or isinstance(pid, bool) or not isinstance(qty, int) or isinstance(qty, bool):
                raise ServiceError("INVALID_REQUEST", "items의 각 항목은 {productId: 정수, quantity: 정수} 입니다.")
            if not 1 <= pid <= MAX_ID:  # beyond the database's integer: no such product, not a 500
                raise unavailable(pid)
            lines[pid] = lines.get(pid, 0) + qty
        for qty in lines.values():
            if not 1 <= qty <= 99:
                raise ServiceError("INVALID_QUANTITY", "수량은 상품마다 1개 이상 99개 이하입니다.")
        return lines

    # ---- confirm -------------------------------------------------------------------
    async def confirm(self, user: User, payment_key: Any, order_id: Any, amount: Any) -> ConfirmResult:
        """Confirm the buyer's authenticated payment at Toss, at most once per order."""
        if not isinstance(payment_key, str) or not PAYMENT_KEY_RE.match(payment_key):
            raise ServiceError("INVALID_REQUEST", "paymentKey가 올바르지 않습니다.")
        if not isinstance(order_id, str) or not ORDER_ID_RE.match(order_id):
            raise ServiceError("INVALID_REQUEST", "orderId가 올바르지 않습니다.")
        amount = parse_amount(amount)

        prepared = await self.store.get(order_id)
        if prepared is None:
            return await self._existing(user, payment_key, order_id, amount=amount)
        if prepared.user_id != user.id:
            raise not_found()  # never tell a stranger that the order exists
        if amount != prepared.amount:
            raise amount_mismatch()
        if not await self.store.claim(order_id):
            return await self._existing(user, payment_key, order_id, prepared)

        # The claim makes us the only confirmer; the lock tells settle() to keep off meanwhile.
        async with self._confirm_lock(order_id):
            try:
                payment = await run_db(lambda s: self._insert_intent(s, prepared, payment_key))
            except IntegrityError:
                if await find_payment(order_id):
                    return await self._existing(user, payment_key, order_id, prepared)
                # The paymentKey is another order's: refuse, and give the order back to its buyer.
                await self.store.release(order_id)
                raise ServiceError("INVALID_REQUEST", "이 paymentKey는 다른 주문의 결제입니다.") from None
            except BaseException:
                await self.store.release(order_id)  # nothing durable happened: the order stays payable
                raise
            await self.store.forget(order_id)
            return await self._confirm_at_toss(payment, payment_key)

    def _insert_intent(self, session: Session, prepared: PreparedOrder, payment_key: str) -> Payment:
        payment = Payment(order_id=prepared.order_id, payment_key=payment_key, order_name=prepared.order_name,
                          amount=prepared.amount, balance_amount=prepared.amount, status="",
                          user_id=prepared.user_id, items=prepared.items)
        session.add(payment)
        session.flush()
        transition(session, payment, S.IN_PROGRESS, EventSource.CONFIRM, {"paymentKey": payment_key})
        session.commit()
        return payment

    async def _confirm_at_toss(self, payment: Payment, payment_key: str) -> ConfirmResult:
        """Confirm with retries under one deadline: the buyer waits at most ``confirm_deadline``.

        What is still unknown then is answered as pending, never as failed; the success
        page's polling, ``settle`` and webhooks finish it with the same Idempotency-Key.
        """
        key = f"confirm:{payment.order_id}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.confirm_deadline
        pending = ConfirmResult(payment=PaymentView.of(payment), pending=True)
        for attempt in range(self.retries + 1):
            left = deadline - loop.time()
            if left <= 0.05:
                return pending
            try:
                answer = await self.toss.confirm(payment_key, payment.order_id, payment.amount, key, timeout=left)
            except TossError as err:
                if err.code == "ALREADY_PROCESSED_PAYMENT":
                    return await self._settle_from_toss(payment.order_id, payment_key, EventSource.CONFIRM)
                if err.code in KEY_ERRORS:
                    # Our keys are wrong, not the buyer's card: Toss did nothing, so nothing is
                    # marked failed; the payment can still be confirmed once the keys are fixed.
                    log.error("Toss refused our credentials (%s) confirming %s", err.code, payment.order_id)
                    raise ServiceError("TOSS_CONFIGURATION_ERROR",
                                       "결제 승인 서버 설정에 문제가 있습니다. 잠시 후 다시 시도해주세요.", 502) from None
                if not err.retryable:
                    await self._abort(payment.order_id, err)
                    status = err.http_status if err.http_status and 400 <= err.http_status < 500 else 502
                    raise ServiceError(err.code, err.message, status) from None
                log.warning("confirm %s attempt %d: %s", payment.order_id, attempt + 1, err.code)
                pause = self.backoff * 2**attempt
                if attempt == self.retries or loop.time() + pause >= deadline:
                    return pending
                await asyncio.sleep(pause)
                continue
            view = await self._apply(payment.order_id, answer, EventSource.CONFIRM)
            return ConfirmResult(payment=view)
        raise AssertionError("unreachable")

    async def _existing(self, user: User, payment_key: str, order_id: str,
                        prepared: PreparedOrder | None = None, amount: int | None = None) -> ConfirmResult:
        """No order left to claim: answer with the Payment it became (refresh, twin).

        ``amount`` is the caller's, checked when no prepared order was there to check it
        against: a success URL whose amount was edited after the payment is refused, not
        answered with a receipt.
        """
        payment = await find_payment(order_id)
        if payment is None:
            if prepared is not None:  # the winner holds the claim and is writing the row right now
                return ConfirmResult(pending=True, payment=PaymentView(
                    orderId=order_id, paymentKey=payment_key, orderName=prepared.order_name,
                    amount=prepared.amount, balanceAmount=prepared.amount, method=None,
                    status=S.IN_PROGRESS, approvedAt=None, items=prepared.items))
            raise not_found()
        if payment.user_id != user.id or payment.payment_key != payment_key:
            raise not_found()
        if amount is not None and amount != payment.amount:
            raise amount_mismatch()
        if payment.status == S.IN_PROGRESS:
            return ConfirmResult(payment=PaymentView.of(payment), pending=True)
        if payment.status in (S.ABORTED, S.EXPIRED):
            raise ServiceError(payment.failure_code or "PAYMENT_FAILED",
                               payment.failure_message or "결제에 실패했습니다.", 400)
        return ConfirmResult(payment=PaymentView.of(payment))

    async def _abort(self, order_id: str, err: TossError) -> None:
        def work(session: Session) -> None:
            # Locked like _apply's read: the rollup moves from the status read here.
            payment = session.exec(select(Payment).where(Payment.order_id == order_id).with_for_update()).one()
            if not can_move(payment.status, S.ABORTED):
                # Settled meanwhile (a reconcile or webhook got there first): Toss's answer wins.
                log.warning("not aborting %s: already %s", order_id, payment.status)
                return
            payment.failure_code, payment.failure_message = err.code, err.message[:510]
            transition(session, payment, S.ABORTED, EventSource.CONFIRM, {"code": err.code, "message": err.message})
            session.commit()

        await run_db(work)

    # ---- applying what Toss says ---------------------------------------------------
    async def _apply(self, order_id: str, answer: TossPayment, source: EventSource,
                     detail: dict | None = None) -> PaymentView:
        """Write Toss's view of the payment onto our row, through the transition table."""

        def work(session: Session) -> PaymentView:
            payment = session.exec(select(Payment).where(Payment.order_id == order_id).with_for_update()).one()
            if answer.orderId != order_id:  # never write another order's payment onto this one
                log.error("Toss answered for order %s while settling %s: ignored", answer.orderId, order_id)
                return PaymentView.of(payment)
            if answer.totalAmount != payment.amount:
                log.error("Toss amount %s differs from ours %s for %s", answer.totalAmount, payment.amount, order_id)
            moved = answer.status != payment.status or answer.balanceAmount != payment.balance_amount
            if moved and can_move(payment.status, answer.status):
                transition(session, payment, answer.status, source, {
                    "balanceAmount": answer.balanceAmount, "lastTransactionKey": answer.lastTransactionKey,
                    **(detail or {})}, balance_amount=answer.balanceAmount)
            elif moved:
                log.warning("ignored Toss status %s for %s (ours %s)", answer.status, order_id, payment.status)
                return PaymentView.of(payment)
            payment.payment_key = answer.paymentKey
            payment.method = answer.method
            payment.approved_at = answer.approvedAt
            if answer.failure:
                payment.failure_code, payment.failure_message = answer.failure.code, answer.failure.message[:510]
            payment.raw = answer.model_dump(mode="json")
            session.add(payment)
            session.commit()
            return PaymentView.of(payment)

        return await run_db(work)

    async def _settle_from_toss(self, order_id: str, payment_key: str, source: EventSource) -> ConfirmResult:
        try:
            # By paymentKey, not orderId: an order can carry several payments at Toss (windows
            # the buyer left), and ours is the one we confirmed.
            answer = await self.toss.get_payment(payment_key)
        except TossError as err:
            log.warning("lookup of %s after ALREADY_PROCESSED_PAYMENT failed: %s", order_id, err.code)
            payment = await find_payment(order_id, must_exist=True)
            return ConfirmResult(payment=PaymentView.of(payment), pending=True)
        view = await self._apply(order_id, answer, source)
        return ConfirmResult(payment=view, pending=view.status == S.IN_PROGRESS)

    @asynccontextmanager
    async def _confirm_lock(self, order_id: str):
        ttl = int(self.toss_timeout_budget()) + 5
        got = await self.redis.set(CONFIRM_LOCK + order_id, b"1", nx=True, ex=ttl)
        try:
            yield bool(got)
        finally:
            if got:
                await self.redis.delete(CONFIRM_LOCK + order_id)

    def toss_timeout_budget(self) -> float:
        """The longest a confirm or a settle (a lookup, then a confirm) can talk to Toss."""
        return max(self.confirm_deadline, 2 * self.toss.timeout) + 1

    async def settle(self, order_id: str, source: EventSource = EventSource.RECONCILE) -> PaymentView:
        """Bring an order in line with Toss (reconciliation, webhooks, a polling page).

        An IN_PROGRESS row whose confirm never reached Toss is confirmed again with the
        same Idempotency-Key, which is safe: Toss replays a confirm it already did.
        """
        payment = await find_payment(order_id)
        if payment is None:
            raise not_found()
        async with self._confirm_lock(order_id) as locked:
            if not locked:  # someone is talking to Toss about it right now
                return PaymentView.of(payment)
            try:
                answer = await self.toss.get_payment(payment.payment_key)
            except TossError as err:
                # A failed lookup says nothing about the payment (wrong keys, Toss down): never
                # a reason to mark it failed, since ABORTED could not take Toss's DONE later.
                log.warning("settle %s: lookup failed: %s", order_id, err.code)
                return PaymentView.of(payment)
            if answer.status == S.IN_PROGRESS and payment.status == S.IN_PROGRESS:
                try:
                    answer = await self.toss.confirm(payment.payment_key, order_id, payment.amount,
                                                     f"confirm:{order_id}")
                except TossError as err:
                    if err.retryable or err.code in KEY_ERRORS:
                        log.warning("settle %s: confirm: %s", order_id, err.code)
                        return PaymentView.of(payment)
                    # Toss said no to this confirm: what became of the payment is Toss's to say
                    # (ALREADY_PROCESSED_PAYMENT: a confirm got there first → DONE; an expired
                    # session → EXPIRED). Only a payment Toss still calls IN_PROGRESS is aborted.
                    try:
                        answer = await self.toss.get_payment(payment.payment_key)
                    except TossError:
                        return PaymentView.of(payment)
                    if answer.status == S.IN_PROGRESS:
                        await self._abort(order_id, err)
                        return PaymentView.of(await find_payment(order_id, must_exist=True))
            return await self._apply(order_id, answer, source)

    # ---- reading -------------------------------------------------------------------
    async def get(self, actor: User, order_id: str) -> PaymentView:
        """The order's Payment; one still IN_PROGRESS (a confirm answered "pending") is first
        settled with Toss, so a client polling this route sees it finish."""
        payment = await find_payment(order_id)
        if payment is None or (payment.user_id != actor.id and actor.role != Role.ADMIN):
            raise not_found()
        if payment.status == S.IN_PROGRESS:
            return await self.settle(order_id)
        return PaymentView.of(payment)

    async def list_for_user(self, user: User, limit: int = 100) -> list[PaymentView]:
        def work(session: Session) -> list[PaymentView]:
            rows = session.exec(select(Payment).where(Payment.user_id == user.id)
                                .order_by(col(Payment.created_at).desc(), col(Payment.id).desc()).limit(limit))
            return [PaymentView.of(p) for p in rows]

        return await run_db(work)

    # ---- cancel --------------------------------------------------------------------
    async def cancel(self, actor: User, order_id: str, reason: Any, amount: Any = None) -> PaymentView:
        """Refund in full (amount None) or in part. Admins only; one refund of an order at a time."""
        if actor.role != Role.ADMIN:
            raise forbidden("관리자만 환불할 수 있습니다.")
        if not isinstance(reason, str) or not 1 <= len(reason.strip()) <= 200:
            raise ServiceError("INVALID_REQUEST", "환불 사유(cancelReason)는 1자 이상 200자 이하입니다.")
        if amount is not None:
            amount = parse_amount(amount)
            if amount <= 0:
                raise ServiceError("INVALID_REQUEST", "환불 금액(cancelAmount)은 0보다 커야 합니다.")
        async with self._refund_lock(order_id):
            payment = await find_payment(order_id)
            if payment is None:
                raise not_found()
            if payment.status == S.CANCELED:
                raise ServiceError("ALREADY_CANCELED_PAYMENT", "이미 전액 환불된 결제입니다.")
            if payment.status not in (S.DONE, S.PARTIAL_CANCELED) or not payment.payment_key:
                raise ServiceError("NOT_CANCELABLE_PAYMENT", f"{payment.status} 상태의 결제는 환불할 수 없습니다.")
            if amount is not None and amount > payment.balance_amount:
                raise ServiceError("CANCEL_AMOUNT_EXCEEDS_BALANCE",
                                   f"환불 금액이 남은 금액({payment.balance_amount:,}원)을 초과합니다.")
            key = cancel_key(payment, amount)
            answer = await self._cancel_at_toss(payment.payment_key, reason.strip(), amount, key)
            return await self._apply(order_id, answer, EventSource.CANCEL, {
                "cancelAmount": amount if amount is not None else payment.balance_amount,
                "cancelReason": reason.strip(), "actor": actor.email})

    @asynccontextmanager
    async def _refund_lock(self, order_id: str):
        """One refund of an order at a time, across processes; a refund kept waiting is told so."""
        lock = self.redis.lock(CANCEL_LOCK + order_id, timeout=120, blocking_timeout=60)
        if not await lock.acquire():
            raise ServiceError("REFUND_IN_PROGRESS",
                               "이 결제의 다른 환불을 처리하고 있습니다. 잠시 후 다시 시도해주세요.", 409)
        try:
            yield
        finally:
            with suppress(LockError):  # held past its timeout: the refund itself is done either way
                await lock.release()

    async def _cancel_at_toss(self, payment_key: str, reason: str, amount: int | None, key: str) -> TossPayment:
        for attempt in range(self.retries + 1):
            try:
                return await self.toss.cancel(payment_key, reason, amount, key)
            except TossError as err:
                if not err.retryable:
                    status = err.http_status if err.http_status and 400 <= err.http_status < 500 else 502
                    raise ServiceError(err.code, err.message, status) from None
                if attempt == self.retries:
                    raise ServiceError("TOSS_UNAVAILABLE", "토스페이먼츠 응답을 받지 못했습니다. 잠시 후 다시 시도하거나 "
                                       "'Toss와 동기화'로 결과를 확인하세요.", 503) from None
                await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")
