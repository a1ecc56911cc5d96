"""Rate limits, held in Redis so that they hold across processes.

The ``limits`` library (its moving-window strategy and its Redis storage on our own redis-py
pool) rather than hand-written counters: a moving window has no burst at a window's edge, and
the library tells when a key frees up again, which is what ``Retry-After`` needs.

What is limited (settings; see the README's configuration table):
- failed sign-ins per account (``LOGIN_FAILURE_LIMIT``): past it, even the right password
  waits, so guessing is as slow as the limit, from any number of addresses;
- token and sign-up requests per client address (``TOKEN_RATE_LIMIT``, ``SIGNUP_RATE_LIMIT``),
  the address taken from ``X-Forwarded-For`` only behind a proxy in ``TRUSTED_PROXIES``.
A buyer's prepare and confirm are never limited: the order claim protects them already, and a
twin confirm must get its payment back.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from payapp.settings import get_settings
from payapp.store.redis import get_redis

from .errors import Code, ServiceError

PREFIX = "payapp-limits"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


_limiters: dict[int, MovingWindowRateLimiter] = {}


def limiter() -> MovingWindowRateLimiter:
    """This event loop's limiter, on the same Redis pool as everything else (``get_redis``)."""
    loop_id = id(asyncio.get_running_loop())
    if loop_id not in _limiters:
        # limits documents connection_pool but types its **options as float | str | bool only.
        pool = get_redis().connection_pool
        storage = RedisStorage("async+redis://", implementation="redispy", key_prefix=PREFIX, connection_pool=pool)  # type: ignore[arg-type]
        _limiters[loop_id] = MovingWindowRateLimiter(storage)
    return _limiters[loop_id]


@lru_cache
def item(text: str) -> RateLimitItem:
    return parse(text)


async def retry_after(limit: RateLimitItem, *key: str) -> int:
    stats = await limiter().get_window_stats(limit, *key)
    return max(1, int(stats.reset_time - time.time()) + 1)


def too_many(seconds: int, message: str) -> ServiceError:
    return ServiceError.of(
        Code.TOO_MANY_REQUESTS, f"{message} {seconds}초 후에 다시 시도해주세요.", headers={"Retry-After": str(seconds)}
    )


async def take(setting: str, kind: str, key: str, message: str) -> None:
    """Count one request of ``kind`` for ``key``; a 429 when the limit is used up."""
    limit = item(setting)
    if not await limiter().hit(limit, kind, key):
        raise too_many(await retry_after(limit, kind, key), message)


async def check_failures(email: str) -> None:
    """Refuse a sign-in while the account's failed sign-ins are over the limit."""
    limit = item(get_settings().login_failure_limit)
    if not await limiter().test(limit, "login-failure", email):
        raise too_many(
            await retry_after(limit, "login-failure", email),
            "로그인 실패가 너무 많아 잠시 이 계정의 로그인을 막았습니다.",
        )


async def count_failure(email: str) -> None:
    await limiter().hit(item(get_settings().login_failure_limit), "login-failure", email)


def client_ip(peer: str | None, forwarded_for: str | None) -> str:
    """The caller's address: the peer's, or, when the peer is a trusted proxy, the nearest
    untrusted address in ``X-Forwarded-For`` (read right to left, as proxies append)."""
    trusted = _trusted(get_settings().trusted_proxies)
    address = peer or "unknown"
    if not forwarded_for or not _in(address, trusted):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _in(hop, trusted):
            return hop
    return address


@lru_cache
def _trusted(text: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)
