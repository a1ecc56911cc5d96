"""The shop's payment service in-process, on the running event loop: a fresh sandbox app reached
through ``httpx.ASGITransport`` (as the app reaches its mounted sandbox), the configured database,
and the Redis at ``embedded_url()`` (tests/fast/conftest.py sets both up)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import redis.asyncio as aioredis

from payapp.models import Product, User
from payapp.sandbox import SandboxConfig, create_app
from payapp.sandbox.config import SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from payapp.schemas import ConfirmResult
from payapp.services.inputs import ConfirmIn, PrepareIn
from payapp.services.payments import PaymentService
from payapp.store.embedded import embedded_url
from payapp.store.prepared import PreparedOrderStore
from payapp.toss import TossClient

SANDBOX_BASE = "http://sandbox.in-process"


@dataclass
class Shop:
    """The payment service wired to its parts, and the sandbox as the buyer's window sees it."""

    service: PaymentService
    sandbox: httpx.AsyncClient

    async def prepare(self, buyer: User, product: Product, quantity: int = 1) -> dict:
        cart = PrepareIn.parse({"items": [{"productId": product.id, "quantity": quantity}]})
        return (await self.service.prepare(buyer, cart)).model_dump()

    async def authorize(self, order: dict, outcome: str = "approve") -> dict:
        """The buyer's 승인 (or ``outcome``) in the window, headless: the authorization."""
        r = await self.sandbox.post(
            "/_sandbox/authorize",
            json={"clientKey": SANDBOX_CLIENT_KEY, "method": "카드", "outcome": outcome, **order},
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def confirm(self, buyer: User, authorized: dict, amount: int | None = None) -> ConfirmResult:
        request = {k: authorized[k] for k in ("paymentKey", "orderId", "amount")}
        if amount is not None:
            request["amount"] = amount
        return await self.service.confirm(buyer, ConfirmIn.parse(request))

    async def toss_confirms(self, order_id: str) -> list[dict]:
        """Confirm calls that reached the sandbox for this order (replays excluded)."""
        log = (await self.sandbox.get("/_sandbox/requests", params={"path": "/v1/payments/confirm"})).json()["data"]
        return [e for e in log if (e.get("body") or {}).get("orderId") == order_id and not e["replayed"]]

    async def toss_payment(self, order_id: str) -> dict:
        payments = (await self.sandbox.get("/_sandbox/payments", params={"orderId": order_id})).json()["data"]
        assert len(payments) == 1, payments
        return payments[0]


@contextlib.asynccontextmanager
async def in_process_shop() -> AsyncIterator[Shop]:
    """A fresh sandbox and a service talking to it, on the running event loop."""
    transport = httpx.ASGITransport(app=create_app(SandboxConfig()))
    redis = aioredis.Redis.from_url(embedded_url())
    toss = TossClient(SANDBOX_BASE, SANDBOX_SECRET_KEY, timeout=5.0, transport=transport)
    service = PaymentService(PreparedOrderStore(redis, 600), toss, redis, confirm_retries=2, backoff_seconds=0.01)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_BASE) as sandbox:
            yield Shop(service, sandbox)
    finally:
        await redis.aclose()
