"""One-time download tickets: a page can start a streamed download (a plain GET the browser
makes, which cannot carry the ``Authorization`` header) without putting a reusable token in a URL.
A ticket is random, lives 60 seconds in Redis, and works once.
"""

from __future__ import annotations

import secrets

from payapp.db import run_db
from payapp.models import User
from payapp.store.redis import get_redis

PREFIX = "payapp:ticket:"
TTL_SECONDS = 60


async def issue(user_id: int, purpose: str) -> str:
    ticket = secrets.token_urlsafe(24)
    await get_redis().set(PREFIX + ticket, f"{purpose}:{user_id}", ex=TTL_SECONDS)
    return ticket


async def redeem(ticket: str, purpose: str) -> User | None:
    """The user the ticket was issued to, once; None when unknown, used or expired."""
    if not ticket or len(ticket) > 64:
        return None
    raw = await get_redis().getdel(PREFIX + ticket)
    if raw is None:
        return None
    kind, _, user_id = raw.decode().partition(":")
    if kind != purpose or not user_id.isdigit():
        return None
    return await run_db(lambda s: s.get(User, int(user_id)))
