"""The process's Redis client: REDIS_URL, or the embedded server (:mod:`payapp.store.embedded`).

Clients are made lazily, once per event loop, never at import: production servers fork
workers after import, and an asyncio client belongs to the loop it was made on.
"""

from __future__ import annotations

import asyncio
from typing import TypedDict

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from payapp.settings import get_settings
from payapp.store.embedded import embedded_socket, embedded_url, joined_socket

_clients: dict[int, aioredis.Redis] = {}


class _PoolOptions(TypedDict):
    max_connections: int
    timeout: float
    socket_timeout: float
    socket_connect_timeout: float
    retry: AsyncRetry


def redis_url() -> str:
    return get_settings().redis_url or embedded_url()


class _EmbeddedConnection(aioredis.UnixDomainSocketConnection):
    """A connection to the embedded server that finds (or starts) it on first connect.

    ``embedded_socket()`` blocks (a file lock, and up to START_TIMEOUT while a server starts), and
    ``get_redis()`` is first called from async code: API routes and Reflex event handlers. It is
    not resolved at start-up because the Reflex app mounts our FastAPI app inside its own, whose
    lifespan never runs ours; so the blocking part runs here, in a thread, off the event loop.
    """

    async def _connect(self) -> None:
        if not self.path:
            self.path = str(joined_socket() or await asyncio.to_thread(embedded_socket))
        await super()._connect()  # type: ignore[no-untyped-call]  # redis-py leaves _connect unannotated


def get_redis() -> aioredis.Redis:
    """This event loop's client. Its pool makes a caller wait for a free connection (up to
    REDIS_POOL_TIMEOUT_SECONDS) instead of failing at once, and a dead server answers within
    about two seconds (one quick retry): both end as 503 with Retry-After, never a 500."""
    loop = asyncio.get_running_loop()
    client = _clients.get(id(loop))
    if client is None:
        settings = get_settings()
        options = _PoolOptions(
            max_connections=settings.redis_max_connections,
            timeout=settings.redis_pool_timeout_seconds,
            socket_timeout=settings.redis_socket_timeout_seconds,
            socket_connect_timeout=1.0,
            # One quick retry when the connection failed (a pooled one the server closed), never on a
            # timeout: the command may have run, and a second SET would re-arm what a first one set.
            retry=AsyncRetry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        if url := settings.redis_url:
            pool = aioredis.BlockingConnectionPool.from_url(url, **options)
        else:
            pool = aioredis.BlockingConnectionPool(connection_class=_EmbeddedConnection, **options)
        client = aioredis.Redis(connection_pool=pool)
        _clients[id(loop)] = client
    return client
