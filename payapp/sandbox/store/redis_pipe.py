"""One Redis connection per sandbox worker on which every command is pipelined.

redis-py's client checks a connection out of its pool, sends one command, waits for its
answer and checks the connection back in, at about five times the CPU of the command's own
bytes (measured: ~120 µs against ~25 µs per GET under load; see the README's "Redis mode").
A sandbox worker sends a dozen commands per payment, most of them while other requests'
commands are in flight, so here every command goes out on one connection as soon as it is
issued, the commands issued in one turn of the event loop leave in one write, and a single
reader hands each answer to its command in order: Redis answers a connection's commands in
the order it sent them. redis-py still makes the connection (URL, password, database, TLS)
and packs and parses the protocol (with hiredis when it is installed).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from collections.abc import Coroutine, Sequence
from typing import Any, TypeAlias, TypeVar

from redis.asyncio import ConnectionPool
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

# What a command answers, undecoded: bytes, an int, None, or a list of these.
Reply: TypeAlias = bytes | int | None | list["Reply"]
# What a command is made of: bytes as they are, str as UTF-8, numbers as their repr.
Arg: TypeAlias = bytes | str | int | float
T = TypeVar("T")


def pack(args: tuple[Arg, ...]) -> bytes:
    """A command in Redis's protocol: ``*<count>``, then ``$<length>`` and the bytes of each
    argument (str as UTF-8, numbers as their repr). A third of redis-py's pack_command's CPU
    (6 against 20 µs for a payment's save), which was a third of the store's."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        raw = arg if isinstance(arg, bytes) else str(arg).encode()
        out += (b"$%d\r\n" % len(raw), raw, b"\r\n")
    return b"".join(out)


class Pipe:
    """Commands pipelined on one connection, made on first use in the running event loop.

    A command, once issued, is sent even if its caller stops waiting (cancellation), so that
    answers stay in step with their commands. When the connection fails, every command still
    waiting fails with it and the next command makes a new connection; nothing is re-sent,
    as a command that was sent may have run.
    """

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._conn: AbstractConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connecting: asyncio.Task[AbstractConnection] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # Per command sent, whoever waits for its answer (several for a shared read).
        self._waiting: deque[list[asyncio.Future[Reply]]] = deque()
        self._out: list[bytes] = []
        self._unsent_reads: dict[tuple[Arg, ...], list[asyncio.Future[Reply]]] = {}

    async def call(self, *args: Arg) -> Reply:
        """Send one command; its answer (a Redis error reply is raised as ResponseError)."""
        return await self._issue(args)

    async def read_shared(self, *args: Arg) -> Reply:
        """Send a read, or join the same read issued by another task and not sent yet.

        Every request reads the clock, the fault rules and the webhook targets; reads of one
        turn of the event loop leave as one command whose answer they all take. Still
        current for each of them: it is sent after each asked.
        """
        waiters = self._unsent_reads.get(args)
        if waiters is None:
            return await self._issue(args, shared=True)
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        waiters.append(future)
        return await future

    def _issue(self, args: tuple[Arg, ...], shared: bool = False) -> asyncio.Future[Reply]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Reply] = loop.create_future()
        if self._conn is None or self._loop is not loop:
            # Not connected yet (or the store moved to another event loop, as tests do): the
            # command waits for the connection, then goes out like any other.
            self._spawn(self._after_connect(args, future))
            return future
        waiters = self._queue(self._conn, args, future)
        if shared:
            self._unsent_reads[args] = waiters
        return future

    def _queue(
        self, conn: AbstractConnection, args: tuple[Arg, ...], future: asyncio.Future[Reply]
    ) -> list[asyncio.Future[Reply]]:
        if not self._out:
            self._spawn(self._send(conn))  # runs after this turn's commands, sends them all
        self._out.append(pack(args))
        waiters = [future]
        self._waiting.append(waiters)
        return waiters

    async def _after_connect(self, args: tuple[Arg, ...], future: asyncio.Future[Reply]) -> None:
        try:
            conn = await self._connect()
        except Exception as err:
            if not future.done():
                future.set_exception(err)
            return
        self._queue(conn, args, future)

    async def _connect(self) -> AbstractConnection:
        loop = asyncio.get_running_loop()
        if self._conn is not None and self._loop is loop:
            return self._conn
        if self._connecting is None or self._loop is not loop:
            self._drop(RedisConnectionError("the sandbox store moved to another event loop"))
            self._loop = loop
            self._connecting = self._spawn(self._open())
        return await asyncio.shield(self._connecting)

    async def _open(self) -> AbstractConnection:
        conn: AbstractConnection = self._pool.connection_class(**self._pool.connection_kwargs)
        try:
            await conn.connect_check_health()  # connects (retrying as the URL says), then AUTH, SELECT
        finally:
            self._connecting = None
        self._conn = conn
        self._spawn(self._read(conn))
        return conn

    def _spawn(self, coro: Coroutine[None, None, T]) -> asyncio.Task[T]:
        # The loop keeps only weak references to tasks: these are kept until they end.
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _send(self, conn: AbstractConnection) -> None:
        out, self._out = self._out, []
        self._unsent_reads.clear()
        if conn is not self._conn:
            return  # the connection failed meanwhile: its waiting commands have failed already
        try:
            await conn.send_packed_command(out, check_health=False)
        except Exception as err:
            self._fail(conn, err)

    async def _read(self, conn: AbstractConnection) -> None:
        waiting = self._waiting
        try:
            while True:
                outcome: Reply | ResponseError
                try:
                    outcome = await conn.read_response(disable_decoding=True, disconnect_on_error=False)
                except ResponseError as err:  # this command's error, not the connection's
                    outcome = err
                for future in waiting.popleft():
                    if future.done():
                        continue
                    if isinstance(outcome, ResponseError):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        except Exception as err:
            self._fail(conn, err)
        except asyncio.CancelledError:
            self._fail(conn, RedisConnectionError("the sandbox store was closed"))
            raise

    def _fail(self, conn: AbstractConnection, err: BaseException) -> None:
        if conn is self._conn:
            self._drop(err if isinstance(err, Exception) else RedisConnectionError(str(err)))

    def _drop(self, err: Exception) -> None:
        """Forget the connection; every command waiting on it fails with ``err``."""
        conn, self._conn, self._out = self._conn, None, []
        waiting, self._waiting = self._waiting, deque()
        self._unsent_reads.clear()
        for waiters in waiting:
            for future in waiters:
                if not future.done():
                    future.set_exception(err)
        if conn is not None and self._loop is asyncio.get_running_loop():
            self._spawn(conn.disconnect(nowait=True))

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and self._loop is asyncio.get_running_loop():
            await conn.disconnect()


class Script:
    """A Lua script run by its SHA1 (EVALSHA), loaded into Redis the first time it is missing."""

    __slots__ = ("source", "sha")

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, pipe: Pipe, keys: Sequence[str], args: Sequence[Arg]) -> Reply:
        try:
            return await pipe.call("EVALSHA", self.sha, len(keys), *keys, *args)
        except NoScriptError:  # a new or restarted Redis: EVAL runs it and caches it there
            return await pipe.call("EVAL", self.source, len(keys), *keys, *args)
