"""Fixtures for the sandbox tests that keep state in Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

# A database of its own, and a key prefix per test, so runs never see each other's state.
SANDBOX_REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"sbxtest:{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = redis.Redis.from_url(SANDBOX_REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
