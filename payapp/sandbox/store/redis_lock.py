"""The Redis store's lock: several names taken at once, across every worker of one Redis."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import time
from types import TracebackType

from . import redis_scripts as lua
from .redis_pipe import Pipe

EXPIRY_MS = 60_000  # a holder that died frees its names after this long
WAIT_S = 60.0  # then acquiring gives up (TimeoutError)
_FIRST_RETRY_S, _LAST_RETRY_S = 0.002, 0.05

# A holder's token: random per process, then a counter (cheaper than fresh random bytes per
# lock, unique across workers and restarts). Forked workers draw their own.
_prefix = secrets.token_hex(8)
_seq = itertools.count()


def _new_prefix() -> None:
    global _prefix
    _prefix = secrets.token_hex(8)


os.register_at_fork(after_in_child=_new_prefix)
_releasing: set[asyncio.Task[None]] = set()


class Lock:
    """``async with Lock(pipe, keys)``: every key or none, in one command, retried until free.

    Taking them all at once (LOCK) means no holder ever waits while holding: two holders can
    never each wait for the other, whatever order their callers name them in.
    """

    __slots__ = ("_pipe", "_keys", "_token")

    def __init__(self, pipe: Pipe, keys: list[str]) -> None:
        self._pipe, self._keys = pipe, keys
        self._token = f"{_prefix}-{next(_seq)}"

    async def __aenter__(self) -> None:
        deadline, pause = time.monotonic() + WAIT_S, _FIRST_RETRY_S
        while True:
            try:
                taken = await lua.LOCK(self._pipe, self._keys, [self._token, EXPIRY_MS])
            except asyncio.CancelledError:
                # The command was sent and may have taken the keys: give back what it took (the
                # task is kept until it ends: the loop holds tasks only weakly).
                task = asyncio.get_running_loop().create_task(self._release())
                _releasing.add(task)
                task.add_done_callback(_releasing.discard)
                raise
            if taken:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not take {self._keys} within {WAIT_S:g} s")
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LAST_RETRY_S)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._release()

    async def _release(self) -> None:
        await lua.UNLOCK(self._pipe, self._keys, [self._token])
