"""Fixtures for the sandbox tests that keep state in Redis, and for tests run against both stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
import redis

from payapp.sandbox.store import MemoryStore, RedisStore, Store
from tests.sandbox.merchant import Merchant
from tests.support.servers import server_process

# A database of its own, and a key prefix per test, so runs never see each other's state.
SANDBOX_REDIS_URL = "redis://127.0.0.1:6379/13"


def drop_prefix(prefix: str) -> None:
    client = redis.Redis.from_url(SANDBOX_REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"sbxtest:{uuid.uuid4().hex[:8]}:"
    yield prefix
    drop_prefix(prefix)


@pytest.fixture(params=["memory", "redis"])
def store(request) -> Iterator[Callable[[], Store]]:
    """A store factory, once per store: the memory store, and the Redis store under a test prefix."""
    if request.param == "memory":
        yield MemoryStore
    else:
        prefix = request.getfixturevalue("redis_prefix")
        yield lambda: RedisStore(SANDBOX_REDIS_URL, prefix=prefix)


@pytest.fixture(scope="session")
def redis_sandbox_url() -> Iterator[str]:
    """One sandbox server for the session: two worker processes sharing state in Redis."""
    prefix = f"sbxtest:{uuid.uuid4().hex[:8]}:"
    args = ["payapp.sandbox", "--redis-url", SANDBOX_REDIS_URL, "--redis-prefix", prefix, "--workers", "2"]
    try:
        with server_process(args, "/_sandbox/health") as url:
            yield url
    finally:
        drop_prefix(prefix)


@pytest.fixture(params=["memory", "redis"])
def any_sandbox(request) -> Iterator[httpx.Client]:
    """Like ``sandbox``, once per store: the memory server, then the Redis-backed workers.

    MemoryStore and RedisStore must behave the same; a test written against this fixture
    checks both through HTTP.
    """
    url = request.getfixturevalue("sandbox_url" if request.param == "memory" else "redis_sandbox_url")
    with httpx.Client(base_url=url, timeout=10) as client:
        client.post("/_sandbox/reset").raise_for_status()
        yield client


@pytest.fixture(scope="session")
def merchant() -> Iterator[Merchant]:
    """A stand-in merchant on its own port, reached as ``localhost`` (the sandbox is ``127.0.0.1``)."""
    server = Merchant()
    try:
        yield server
    finally:
        server.close()
