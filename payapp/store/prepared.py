"""Prepared orders in Redis: the server-priced order between "결제하기" and confirm.

An order lives ``PREPARED_ORDER_TTL_SECONDS`` (10 minutes). Claiming is atomic: the first
``claim`` wins (``SET NX``); the order stays readable until the winner has written the
Payment row and released its order lock, whose release deletes ``key(order_id)`` in the same
round trip (``payapp/services/payments/base.py``), so a concurrent twin can always tell
"being confirmed" from "never existed".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TypedDict

import orjson
import redis.asyncio as aioredis

PREFIX = "payapp:prepared:"
CLAIM_PREFIX = "payapp:claim:"


class OrderItem(TypedDict):
    """One line of a prepared order, priced by the server (the Payment row keeps the same JSON)."""

    productId: int
    name: str
    price: int
    quantity: int


@dataclass
class PreparedOrder:
    order_id: str
    order_name: str
    amount: int
    user_id: int
    items: list[OrderItem] = field(default_factory=list)


class PreparedOrderStore:
    def __init__(self, redis: aioredis.Redis, ttl_seconds: int):
        self.redis = redis
        self.ttl = ttl_seconds

    @staticmethod
    def key(order_id: str) -> str:
        """The order's Redis key (a confirm's order lock drops it on release, once the row is written)."""
        return PREFIX + order_id

    async def save(self, order: PreparedOrder) -> None:
        await self.redis.set(self.key(order.order_id), orjson.dumps(asdict(order)), ex=self.ttl)

    async def get(self, order_id: str) -> PreparedOrder | None:
        raw = await self.redis.get(self.key(order_id))
        return PreparedOrder(**orjson.loads(raw)) if raw else None

    async def claim(self, order_id: str) -> bool:
        """True for exactly one caller per order (while the order is alive)."""
        return bool(await self.redis.set(CLAIM_PREFIX + order_id, b"1", nx=True, ex=self.ttl))

    async def release(self, order_id: str) -> None:
        """Give a claim back (the winner failed before anything durable happened)."""
        await self.redis.delete(CLAIM_PREFIX + order_id)
