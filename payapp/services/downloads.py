"""One-time download tickets: a page can start a streamed download (a plain GET the browser
makes, which cannot carry the ``Authorization`` header) without putting a reusable token in a URL.
A ticket is random, lives 60 seconds in Redis, and works once.
"""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

PREFIX = "payapp:ticket:"
TTL_SECONDS = 60


async def issue(redis: aioredis.Redis, user_id: int, purpose: str) -> str:
    ticket = secrets.token_urlsafe(24)
    await redis.set(PREFIX + ticket, f"{purpose}:{user_id}", ex=TTL_SECONDS)
    return ticket


async def redeem(redis: aioredis.Redis, ticket: str, purpose: str) -> int | None:
    """The user id the ticket was issued to, once; None when unknown, used or expired."""
    if not ticket or len(ticket) > 64:
        return None
    raw = await redis.getdel(PREFIX + ticket)
    if raw is None:
        return None
    kind, _, user_id = raw.decode().partition(":")
    return int(user_id) if kind == purpose and user_id.isdigit() else None
