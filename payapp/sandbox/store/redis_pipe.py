"""One Redis connection per sandbox worker on which every command is pipelined.

redis-py's client checks a connection out of its pool, sends one command, waits for its
answer and checks the connection back in, at about five times the CPU of the command's own
bytes (measured: ~120 µs against ~25 µs per GET under load; see the README's "Redis mode").
A sandbox worker sends a dozen commands per payment, most of them while other requests'
commands are in flight, so here every command goes out on one connection as soon as it is
issued, the commands issued in one turn of the event loop leave in one write, and the answers
are handed out in order as they arrive: Redis answers a connection's commands in the order it
sent them. redis-py makes the connection (URL, password, database, TLS); from then on the
connection's bytes come straight to :class:`_Answers`, which feeds them to hiredis's parser
(C) and gives each complete answer to its command, all in one callback per chunk that
arrives. redis-py's own reader (a coroutine, a StreamReader and a Python parser per answer)
cost ~6 µs of CPU more per command, a fifth of the Redis mode's overhead per payment.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from collections.abc import Coroutine, Sequence
from typing import Any, TypeAlias, TypeVar

import hiredis
from redis._parsers.base import BaseParser
from redis.asyncio import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError

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


class _Answers(asyncio.Protocol):
    """The reading side of one connection: each chunk that arrives is parsed, and every
    complete answer goes to the command it belongs to. An error reply arrives as redis-py's
    exception for it (NoScriptError for NOSCRIPT, ...)."""

    def __init__(self, pipe: Pipe) -> None:
        self._pipe = pipe
        self._parser = hiredis.Reader(replyError=BaseParser.parse_error)

    def data_received(self, data: bytes) -> None:
        parser, pipe = self._parser, self._pipe
        parser.feed(data)
        try:
            while (reply := parser.gets()) is not False:
                pipe._answer(self, reply)
        except hiredis.ProtocolError as err:
            pipe._lost(self, RedisConnectionError(f"Redis answered outside its protocol: {err}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._pipe._lost(self, RedisConnectionError(f"the connection to Redis was lost: {exc or 'closed'}"))


class Pipe:
    """Commands pipelined on one connection, made on first use in the running event loop.

    A command, once issued, is sent even if its caller stops waiting (cancellation), so that
    answers stay in step with their commands. When the connection fails, every command still
    waiting fails with it and the next command makes a new connection; nothing is re-sent,
    as a command that was sent may have run.
    """

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._transport: asyncio.WriteTransport | None = None
        # The StreamWriter redis-py made, kept: asyncio closes its transport when it is collected.
        self._writer: asyncio.StreamWriter | None = None
        self._answers: _Answers | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # Per command sent, whoever waits for its answer (several for a shared read).
        self._waiting: deque[list[asyncio.Future[Reply]]] = deque()
        self._out: list[bytes] = []
        self._unsent_reads: dict[tuple[Arg, ...], list[asyncio.Future[Reply]]] = {}

    async def call(self, *args: Arg) -> Reply:
        """Send one command; its answer (a Redis error reply is raised as redis-py's exception
        for it: ResponseError, or e.g. BusyLoadingError, a ConnectionError, for LOADING)."""
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
        if self._transport is None or self._loop is not loop:
            # Not connected yet (or the store moved to another event loop, as tests do): the
            # command waits for the connection, then goes out like any other.
            self._spawn(self._after_connect(args, future))
            return future
        waiters = self._queue(loop, args, future)
        if shared:
            self._unsent_reads[args] = waiters
        return future

    def _queue(
        self, loop: asyncio.AbstractEventLoop, args: tuple[Arg, ...], future: asyncio.Future[Reply]
    ) -> list[asyncio.Future[Reply]]:
        if not self._out:
            loop.call_soon(self._send)  # runs after this turn's commands, sends them all
        self._out.append(pack(args))
        waiters = [future]
        self._waiting.append(waiters)
        return waiters

    def _send(self) -> None:
        out, self._out = self._out, []
        self._unsent_reads.clear()
        # None: the connection failed meanwhile, and its waiting commands with it.
        if out and self._transport is not None:
            self._transport.write(b"".join(out))

    def _answer(self, answers: _Answers, reply: Reply | Exception) -> None:
        if answers is not self._answers:
            return  # a connection given up already: its commands have failed
        for future in self._waiting.popleft():
            if future.done():
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _after_connect(self, args: tuple[Arg, ...], future: asyncio.Future[Reply]) -> None:
        try:
            await self._connect()
        except Exception as err:
            if not future.done():
                future.set_exception(err)
            return
        self._queue(asyncio.get_running_loop(), args, future)

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        if self._transport is not None and self._loop is loop:
            return
        if self._connecting is None or self._loop is not loop:
            self._drop(RedisConnectionError("the sandbox store moved to another event loop"))
            self._loop = loop
            self._connecting = self._spawn(self._open())
        await asyncio.shield(self._connecting)

    async def _open(self) -> None:
        conn = self._pool.connection_class(**self._pool.connection_kwargs)
        try:
            await conn.connect_check_health()  # connects (retrying as the URL says), then AUTH, SELECT
        finally:
            self._connecting = None
        # From here on the connection's bytes come to _Answers, not to redis-py's reader (idle
        # since the handshake: nothing of it is left unread), and the connection is the pipe's:
        # redis-py lets go of it, so that it neither reads it nor closes it when collected.
        self._writer, conn._reader, conn._writer = conn._writer, None, None
        assert self._writer is not None
        self._transport, self._answers = self._writer.transport, _Answers(self)
        self._transport.set_protocol(self._answers)

    def _spawn(self, coro: Coroutine[None, None, T]) -> asyncio.Task[T]:
        # The loop keeps only weak references to tasks: these are kept until they end.
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _lost(self, answers: _Answers, err: Exception) -> None:
        if answers is self._answers:
            self._drop(err)

    def _drop(self, err: Exception) -> None:
        """Forget the connection; every command waiting on it fails with ``err``."""
        writer, self._writer, self._transport, self._answers = self._writer, None, None, None
        self._out = []
        waiting, self._waiting = self._waiting, deque()
        self._unsent_reads.clear()
        for waiters in waiting:
            for future in waiters:
                if not future.done():
                    future.set_exception(err)
        if writer is not None and self._loop is asyncio.get_running_loop():
            writer.close()

    async def close(self) -> None:
        if self._transport is not None and self._loop is asyncio.get_running_loop():
            self._drop(RedisConnectionError("the sandbox store was closed"))


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
