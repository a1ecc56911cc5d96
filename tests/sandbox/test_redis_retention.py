"""Retention in the Redis store: the SANDBOX_RETENTION_* settings become Redis TTLs.

A payment and its order's list live ``SANDBOX_RETENTION_PAYMENT_SECONDS`` (real seconds) after
the payment last changed; its transaction rows leave once older than that on the sandbox clock
(with a later save of the owner's); an Idempotency-Key's answer lives the config's
``idempotency_ttl``. Checked on the keys themselves, in a Redis database and key prefix of the
test's own; nothing here waits for days: the retention is set short.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from payapp.sandbox.config import Retention, SandboxConfig
from payapp.sandbox.store import RedisStore
from tests.conftest import DOCS_CLIENT_KEY, DOCS_SECRET_KEY, basic
from tests.sandbox.conftest import SANDBOX_REDIS_URL, drop_prefix
from tests.sandbox.flow import assert_error, authorize, confirm, paid, run_async
from tests.support.servers import server_process

AUTH = basic(DOCS_SECRET_KEY)
RETAIN = 600  # seconds: long enough for any machine to look at the keys before they expire
EVERYTHING = {"startDate": "2000-01-01", "endDate": "2999-12-31T23:59:59"}


@pytest.fixture(scope="module")
def prefix() -> Iterator[str]:
    prefix = f"sbxtest:{uuid.uuid4().hex[:8]}:"
    yield prefix
    drop_prefix(prefix)


@pytest.fixture(scope="module")
def short_url(prefix: str) -> Iterator[str]:
    args = ["payapp.sandbox", "--redis-url", SANDBOX_REDIS_URL, "--redis-prefix", prefix, "--workers", "2"]
    with server_process(args, "/_sandbox/health", env={"SANDBOX_RETENTION_PAYMENT_SECONDS": str(RETAIN)}) as url:
        yield url


@pytest.fixture
def short(short_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=short_url, timeout=10) as client:
        client.post("/_sandbox/reset").raise_for_status()
        yield client


@pytest.fixture
def db() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(SANDBOX_REDIS_URL)
    yield client
    client.close()


def assert_ttl(db: redis.Redis, key: str, seconds: int) -> None:
    ttl = db.ttl(key)
    assert 0 < ttl <= seconds, f"{key}: TTL {ttl}, expected within (0, {seconds}]"


def test_a_payment_and_its_order_live_the_retention_in_redis(short, db, prefix):
    payment = paid(short, {**AUTH, "Idempotency-Key": str(uuid.uuid4())})
    key = payment["paymentKey"]
    assert_ttl(db, f"{prefix}pay:{key}", RETAIN)
    assert_ttl(db, f"{prefix}orderpays:{payment['mId']}:{payment['orderId']}", RETAIN)
    # An Idempotency-Key's answer is kept its own 15 days (Toss's rule), not the payment's time.
    idem = SandboxConfig().idempotency_ttl
    [answer] = db.keys(f"{prefix}idem:*")
    assert idem - 600 < db.ttl(answer) <= idem
    # A change starts the payment's time again.
    db.expire(f"{prefix}pay:{key}", 30)
    r = short.post(f"/v1/payments/{key}/cancel", headers=AUTH, json={"cancelReason": "고객 요청"})
    assert r.status_code == 200, r.text
    assert db.ttl(f"{prefix}pay:{key}") > 30


def test_transaction_rows_older_than_the_retention_leave_with_a_later_save(short, db, prefix):
    old = paid(short, AUTH)
    short.post("/_sandbox/clock", json={"advanceSeconds": RETAIN + 1}).raise_for_status()
    new = paid(short, AUTH)
    rows = short.get("/v1/transactions", headers=AUTH, params=EVERYTHING).json()
    assert [row["paymentKey"] for row in rows] == [new["paymentKey"]]
    # Gone from the cursor index as well: the old row's key is no cursor any more.
    owner_keys = db.hkeys(f"{prefix}txkeys:{DOCS_CLIENT_KEY}")
    assert [k.decode() for k in owner_keys] == [new["lastTransactionKey"]]
    assert old["lastTransactionKey"] != new["lastTransactionKey"]


def test_a_payment_past_its_ttl_is_gone(redis_prefix, db):
    async def scenario() -> tuple[bool, bool]:
        store = RedisStore(SANDBOX_REDIS_URL, prefix=redis_prefix, retention=Retention(payment_seconds=1))
        try:
            record = {
                "payment": {"paymentKey": "pk-short", "mId": "m", "orderId": "order-short"},
                "internal": {"createdAt": time.time(), "clientKey": "ck"},
            }
            await store.put_payment(record)
            found_at_once = await store.get_payment("pk-short") is not None
            assert 0 < db.pttl(f"{redis_prefix}pay:pk-short") <= 1000
            deadline = time.monotonic() + 30  # Redis expires the key about a second later
            while await store.get_payment("pk-short") is not None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            gone = await store.get_payment("pk-short") is None
            return found_at_once, gone and await store.payment_keys_for_order("m", "order-short") == []
        finally:
            await store.close()

    assert run_async(scenario()) == (True, True)


def test_a_confirm_of_a_forgotten_payment_is_not_found(short, db, prefix):
    auth = authorize(short)
    db.delete(f"{prefix}pay:{auth['paymentKey']}")  # what its TTL does, sooner
    assert_error(confirm(short, auth, AUTH), 404, "NOT_FOUND_PAYMENT")
