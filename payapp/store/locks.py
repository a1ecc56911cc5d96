"""Redis locks that their holder keeps alive: the order lock and the reconciliation lease.

A redis-py ``Lock`` (a random token per holder, Lua compare-and-set release) with a short
lifetime, renewed every third of it while its holder works. A holder that dies (SIGKILL, a
lost host) frees it within one lifetime; a live holder keeps it however slow Toss is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from redis.asyncio.lock import Lock
from redis.exceptions import LockError

log = logging.getLogger(__name__)


@dataclass
class Holding:
    lost: bool = False  # set when a renewal found the lock taken or gone


@asynccontextmanager
async def held(lock: Lock) -> AsyncIterator[Holding]:
    """Keep an acquired ``lock`` renewed while the block runs, then release it."""
    holding = Holding()
    renewal = asyncio.create_task(_renew(lock, holding))
    try:
        yield holding
    finally:
        renewal.cancel()
        with suppress(LockError, Exception):  # lost, or Redis gone: it lapses by itself
            await lock.release()


async def _renew(lock: Lock, holding: Holding) -> None:
    assert lock.timeout is not None
    while True:
        await asyncio.sleep(lock.timeout / 3)
        try:
            await lock.reacquire()
        except LockError:
            log.error("lost %s while holding it", lock.name)
            holding.lost = True
            return
        except Exception as err:  # Redis unreachable for a moment: try again at the next beat
            log.warning("renewing %s: %s", lock.name, err)
