"""The Redis store's locks: several names taken at once, across every worker of one Redis.

:class:`Lock` only locks. :class:`Section` (the store's ``locked``) also reads the payment,
the clock and the order's payment keys in the step that takes the locks, and sends the
payment saves made inside it with the release: a confirm's lock, reads, save and unlock are
two commands instead of six.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import time
from contextvars import ContextVar, Token
from types import TracebackType

from . import redis_scripts as lua
from .base import Locked
from .redis_parts import load_or_none, strings
from .redis_pipe import Arg, Pipe, Reply, Script

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


class _Holder:
    """Locks on ``keys`` under a token of its own: every key or none, in one command, retried
    until free. Taking them all at once means no holder ever waits while holding: two holders
    can never each wait for the other, whatever order their callers name them in."""

    __slots__ = ("_pipe", "_keys", "_token")

    def __init__(self, pipe: Pipe, keys: list[str]) -> None:
        self._pipe, self._keys = pipe, keys
        self._token = f"{_prefix}-{next(_seq)}"

    async def _take(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
        """Run ``script`` until it answers that it took the locks (anything but 0 or nil)."""
        deadline, pause = time.monotonic() + WAIT_S, _FIRST_RETRY_S
        while True:
            try:
                taken = await script(self._pipe, keys, args)
            except asyncio.CancelledError:
                # The command was sent and may have taken the keys: give back what it took (the
                # task is kept until it ends: the loop holds tasks only weakly).
                task = asyncio.get_running_loop().create_task(self._release())
                _releasing.add(task)
                task.add_done_callback(_releasing.discard)
                raise
            if taken:
                return taken
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not take {self._keys} within {WAIT_S:g} s")
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LAST_RETRY_S)

    async def _release(self) -> None:
        await lua.UNLOCK(self._pipe, self._keys, [self._token])


class Lock(_Holder):
    """``async with Lock(pipe, keys)``: the locks (LOCK), released on leaving."""

    __slots__ = ()

    async def __aenter__(self) -> None:
        await self._take(lua.LOCK, self._keys, [self._token, EXPIRY_MS])

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._release()


# The section the running task is in (a task started inside one copies it: ``open`` tells).
_SECTION: ContextVar[Section | None] = ContextVar("sandbox_redis_section", default=None)
Save = tuple[list[str], list[Arg]]  # a payment's save: PUT_PAYMENT's keys and arguments


class Section(_Holder):
    """``async with Section(pipe, locks, reads) as locked``: the locks, and ``reads`` (the
    payment's key, the clock's, optionally the order's list) read in the same command.

    A payment saved inside (:meth:`hold`) is stored on leaving, however it is left, the last
    save in one script with the release; before any read inside, what is held is sent first,
    so that the section reads what it wrote.
    """

    __slots__ = ("_reads", "_saves", "_context")

    def __init__(self, pipe: Pipe, keys: list[str], reads: list[str]) -> None:
        super().__init__(pipe, keys)
        self._reads = reads
        self._saves: list[Save] | None = None  # None: not inside (yet, or any more)
        self._context: Token[Section | None] | None = None

    async def __aenter__(self) -> Locked:
        reply = await self._take(lua.LOCK_LOAD, [*self._keys, *self._reads], [self._token, EXPIRY_MS, len(self._keys)])
        assert isinstance(reply, list)
        record, clock, order = reply
        self._saves, self._context = [], _SECTION.set(self)
        offset = float(clock) if isinstance(clock, bytes) else 0.0
        return Locked(load_or_none(record), offset, [key.decode() for key in strings(order)])

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._context is not None:
            _SECTION.reset(self._context)
        saves, self._saves = self._saves or [], None
        try:
            await self._send(saves[:-1])
        except BaseException:
            await self._release()
            raise
        if saves:
            keys, args = saves[-1]
            await lua.PUT_PAYMENT(self._pipe, [*keys, *self._keys], [*args, self._token])
        else:
            await self._release()

    async def _send(self, saves: list[Save]) -> None:
        for keys, args in saves:
            await lua.PUT_PAYMENT(self._pipe, keys, args)

    @staticmethod
    def hold(pipe: Pipe, save: Save) -> bool:
        """Keep ``save`` for the end of the running task's section on ``pipe``, if it is in one."""
        section = _SECTION.get()
        if section is None or section._saves is None or section._pipe is not pipe:
            return False
        section._saves.append(save)
        return True

    @staticmethod
    async def settle(pipe: Pipe) -> None:
        """Before a read: send what the running task's section on ``pipe`` holds."""
        section = _SECTION.get()
        if section is not None and section._saves and section._pipe is pipe:
            saves, section._saves = section._saves, []
            await section._send(saves)
