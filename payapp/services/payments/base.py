"""What every payment job shares: the service's parts, reading an order's row, and the one
per-order lock under which confirm, settle and refund talk to Toss.

Money rule here: one order is worked on by one job at a time, across processes
(``payapp/store/locks.py``: a process killed while holding it frees the order within
``ORDER_LOCK_TTL`` seconds, and a slow Toss never lets a second job in beside a live one).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal, overload

import redis.asyncio as aioredis
from redis.asyncio.lock import Lock
from redis.commands.core import AsyncScript
from redis.exceptions import LockNotOwnedError
from sqlmodel import Session, select

from payapp.db import run_db
from payapp.models import Payment
from payapp.store.locks import held
from payapp.store.prepared import PreparedOrderStore
from payapp.toss import TossClient

from ..errors import Code, ServiceError
from ..inputs import AMOUNT_RULE, valid_order_id, whole_won

log = logging.getLogger("payapp.services.payments")

ORDER_LOCK = "payapp:order-lock:"
ORDER_LOCK_TTL = 15.0  # seconds; renewed every third of it while held


class OrderLock(Lock):
    """redis-py's lock, whose release also deletes the keys its holder is done with (``drop``)
    in the same round trip: a confirm drops the prepared order with its lock, one Redis command
    fewer per payment. The keys go even if the lock was lost meanwhile."""

    LUA_RELEASE_AND_DROP = """
        for i = 2, #KEYS do redis.call('del', KEYS[i]) end
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then return 0 end
        redis.call('del', KEYS[1])
        return 1
    """
    _script: AsyncScript | None = None  # registered once per process, like redis-py's own

    def __init__(self, redis: aioredis.Redis, name: str, **kwargs: Any) -> None:
        super().__init__(redis, name, **kwargs)
        self.client = redis
        self.drop: list[str] = []

    async def do_release(self, expected_token: bytes) -> None:
        if not self.drop:
            return await super().do_release(expected_token)
        if OrderLock._script is None:
            OrderLock._script = self.client.register_script(self.LUA_RELEASE_AND_DROP)
        if not await OrderLock._script(keys=[self.name, *self.drop], args=[expected_token], client=self.client):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned")  # type: ignore[no-untyped-call]


def parse_amount(value: object) -> int:
    """An amount in whole won, by the rule of ``inputs.whole_won`` (a form's text, a URL's)."""
    amount = whole_won(value)
    if amount is None:
        raise ServiceError.of(Code.INVALID_REQUEST, AMOUNT_RULE)
    return amount


@overload
async def find_payment(order_id: str, must_exist: Literal[True]) -> Payment: ...
@overload
async def find_payment(order_id: str, must_exist: bool = False) -> Payment | None: ...
async def find_payment(order_id: str, must_exist: bool = False) -> Payment | None:
    """The order's Payment row (None if there is none; ``must_exist``: raise instead).

    An id no order can have (a NUL byte, 5,000 characters) is not looked for: it has none."""
    if not valid_order_id(order_id) and not must_exist:
        return None

    def work(session: Session) -> Payment | None:
        rows = session.exec(select(Payment).where(Payment.order_id == order_id))
        return rows.one() if must_exist else rows.first()

    return await run_db(work)


def key_of(payment: Payment) -> str:
    """The row's paymentKey. Confirm writes every row with one; only the column's declaration
    allows NULL (a row without one would be a bug, named here rather than sent to Toss)."""
    if payment.payment_key is None:
        raise ValueError(f"payment {payment.order_id} has no paymentKey")
    return payment.payment_key


class PaymentJobs:
    """The parts every job uses. ``PaymentService`` (``service.py``) is all the jobs together."""

    def __init__(
        self,
        store: PreparedOrderStore,
        toss: TossClient,
        redis: aioredis.Redis,
        confirm_retries: int = 3,
        backoff_seconds: float = 0.2,
        confirm_deadline: float = 8.0,
    ):
        self.store = store
        self.toss = toss
        self.redis = redis
        self.retries = confirm_retries
        self.backoff = backoff_seconds
        self.confirm_deadline = confirm_deadline

    @asynccontextmanager
    async def order_lock(self, order_id: str, wait: float) -> AsyncIterator[OrderLock | None]:
        """Hold the order's lock (yields it), or yield None after ``wait`` seconds (0: at once)."""
        lock = OrderLock(
            self.redis,
            ORDER_LOCK + order_id,
            timeout=ORDER_LOCK_TTL,
            blocking=wait > 0,
            blocking_timeout=wait if wait > 0 else None,
        )
        # A random token of our own: redis-py's default (uuid1) cost more CPU than the SET it guards.
        if not await lock.acquire(token=secrets.token_hex(16).encode()):
            yield None
            return
        async with held(lock):
            yield lock
