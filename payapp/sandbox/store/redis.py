"""The Redis store: state in Redis, shared by any number of sandbox worker processes.

Each store call is one command on the worker's pipelined connection (:mod:`.redis_pipe`),
a Lua script (:mod:`.redis_scripts`) wherever several keys change together or a decision
rests on what is read, so that it is atomic across workers. An authorize+confirm pair
costs 11 commands (the sandbox README, "Redis mode").
"""

from __future__ import annotations

import contextlib

import orjson
from redis.asyncio import ConnectionPool

from ..config import Retention
from ..transactions import sort_key, window_keys
from . import redis_scripts as lua
from .base import JSONObject, Locked
from .redis_lock import Lock, Section
from .redis_parts import RedisParts, load, load_or_none, strings, values
from .redis_pipe import Arg, Pipe


class RedisStore(RedisParts):
    """State in Redis, so that several sandbox worker processes agree on it.

    ``retention`` (None: payments kept for good): a payment, its place in its order and its
    transaction rows are forgotten ``payment_seconds`` after the payment last changed, as Redis
    TTLs, so in real seconds (the sandbox clock does not move them). An Idempotency-Key's answer
    lives its ``idempotency_ttl``, the logs keep their newest ``log_size`` entries; the counts
    (``max_payments``, ``max_idempotency_answers``) are the memory store's: Redis's own
    ``maxmemory`` policy is the bound here.
    """

    def __init__(self, url: str, prefix: str = "tosssbx:", log_size: int = 10_000, retention: Retention | None = None):
        super().__init__(Pipe(ConnectionPool.from_url(url)), prefix, log_size)
        self._payment_ttl = retention.payment_seconds if retention else 0

    # ---- payments and transactions
    async def get_payment(self, payment_key: str) -> JSONObject | None:
        await Section.settle(self._pipe)
        return load_or_none(await self._pipe.call("GET", self._k("pay", payment_key)))

    async def get_payments(self, payment_keys: list[str]) -> list[JSONObject | None]:
        if not payment_keys:
            return []
        await Section.settle(self._pipe)
        raws = values(await self._pipe.call("MGET", *[self._k("pay", k) for k in payment_keys]))
        return [None if raw is None else load(raw) for raw in raws]

    async def put_payment(self, record: JSONObject, transaction: tuple[float, JSONObject] | None = None) -> None:
        """Store the record and, when given, the transaction ``(time, row)`` that changed it.

        Inside :meth:`locked`, on leaving it (with the release, in one command)."""
        p, internal = record["payment"], record["internal"]
        key, owner = p["paymentKey"], internal["clientKey"]
        keys = [
            self._k("pay", key),
            self._k("orderpays", p["mId"], p["orderId"]),
            self._k("pays"),
            self._k("txs", owner),
            self._k("txkeys", owner),
        ]
        args: list[Arg] = [orjson.dumps(record), repr(float(internal["createdAt"])), key, self._payment_ttl]
        if transaction is None:
            args += [b"", b"", b""]
        else:
            ts, row = transaction
            member = sort_key(ts, row["transactionKey"]).encode() + b"\n" + orjson.dumps(row)
            # Rows older than the retention leave with this save (sort keys compare as times).
            args += [member, row["transactionKey"], sort_key(ts - self._payment_ttl, "")]
        if not Section.hold(self._pipe, (keys, args)):
            await lua.PUT_PAYMENT(self._pipe, keys, args)

    async def payment_keys_for_order(self, mid: str, order_id: str) -> list[str]:
        await Section.settle(self._pipe)
        keys = await self._pipe.call("ZRANGE", self._k("orderpays", mid, order_id), 0, -1)
        return [k.decode() for k in strings(keys)]

    async def transactions(
        self, owner: str, start: float, end: float, after: str | None, limit: int
    ) -> list[JSONObject] | None:
        """``owner``'s transactions whose second is in [start, end], after the one keyed ``after``,
        oldest first; None when ``after`` is not one of ``owner``'s transactionKeys."""
        await Section.settle(self._pipe)
        low, high = (k.encode() for k in window_keys(start, end))
        lower = b"[" + low
        if after is not None:
            cursor = await self._pipe.call("HGET", self._k("txkeys", owner), after)
            if not isinstance(cursor, bytes):
                return None
            if cursor >= low:
                lower = b"(" + cursor
        members = await self._pipe.call("ZRANGEBYLEX", self._k("txs", owner), lower, b"(" + high, "LIMIT", 0, limit)
        return [load(m.split(b"\n", 1)[1]) for m in strings(members)]

    async def list_payments(self) -> list[JSONObject]:
        await Section.settle(self._pipe)
        keys = strings(await self._pipe.call("SMEMBERS", self._k("pays")))
        if not keys:
            return []
        raws = values(await self._pipe.call("MGET", *[self._k("pay", k.decode()) for k in keys]))
        gone = [key for key, raw in zip(keys, raws, strict=True) if raw is None]
        if gone:  # forgotten (retention): their keys leave the set too
            await self._pipe.call("SREM", self._k("pays"), *gone)
        return [load(raw) for raw in raws if raw is not None]

    def lock(self, *names: str) -> contextlib.AbstractAsyncContextManager[None]:
        """The lock of every name, all taken in one step or none (see :class:`.Lock`)."""
        return Lock(self._pipe, self._lock_keys(names))

    def locked(
        self, payment_key: str, *names: str, order: tuple[str, str] | None = None
    ) -> contextlib.AbstractAsyncContextManager[Locked]:
        """The locks, the payment, the clock and the order's keys in one command (LOCK_LOAD);
        the section's last save and the release in another (see :class:`.Section`)."""
        reads = [self._k("pay", payment_key), self._k("clock")]
        if order is not None:
            reads.append(self._k("orderpays", *order))
        return Section(self._pipe, self._lock_keys((*names, payment_key)), reads)

    def _lock_keys(self, names: tuple[str, ...]) -> list[str]:
        return list(dict.fromkeys(self._k("lock", name) for name in names))

    # ---- idempotency
    @staticmethod
    def _processing(token: str) -> bytes:
        return orjson.dumps({"state": "processing", "token": token})

    async def idem_begin(self, key: str, token: str, now: float, hold: int) -> tuple[str, JSONObject | None]:
        # One atomic step, so that of several workers exactly one starts the request.
        # A running request's hold is its Redis TTL, in real seconds (``hold``, renewed by
        # the run), so that a worker that died mid-request frees the key; a finished one
        # expires on the sandbox clock (POST /_sandbox/clock moves it).
        raw = await lua.IDEM_BEGIN(self._pipe, [self._k("idem", key)], [self._processing(token), repr(now), hold])
        rec = load_or_none(raw)
        if rec is None:
            return "new", None
        if rec["state"] == "processing":
            return "processing", None
        response: JSONObject = rec["response"]
        return "done", response

    async def _if_holder(self, key: str, token: str, *args: bytes | str | int) -> bool:
        return bool(await lua.IDEM_HOLDER(self._pipe, [self._k("idem", key)], [self._processing(token), *args]))

    async def idem_renew(self, key: str, token: str, hold: int) -> bool:
        return await self._if_holder(key, token, "renew", hold)

    async def idem_finish(self, key: str, token: str, response: JSONObject, expires_at: float, ttl: int) -> bool:
        rec = {"state": "done", "response": response, "expiresAt": expires_at}
        return await self._if_holder(key, token, "finish", ttl, orjson.dumps(rec))

    async def idem_abort(self, key: str, token: str) -> bool:
        return await self._if_holder(key, token, "abort")

    async def idem_counts(self, now: float) -> dict[str, int]:
        counts = {"processing": 0, "done": 0}
        keys = await self._scan(self._k("idem", "*"))
        for i in range(0, len(keys), 500):
            for raw in values(await self._pipe.call("MGET", *keys[i : i + 500])):
                rec = None if raw is None else load(raw)
                if rec and (rec["state"] == "processing" or rec["expiresAt"] > now):
                    counts[rec["state"]] += 1
        return counts

    # ---- the clock: an offset in seconds added to real time, shared by every worker
    async def clock_offset(self) -> float:
        raw = await self._pipe.read_shared("GET", self._k("clock"))  # every request asks
        return float(raw) if isinstance(raw, bytes) else 0.0

    async def advance_clock(self, seconds: float) -> float:
        raw = await self._pipe.call("INCRBYFLOAT", self._k("clock"), repr(float(seconds)))
        return float(raw) if isinstance(raw, bytes) else 0.0

    # ---- the whole store
    async def _scan(self, pattern: str) -> list[bytes]:
        found: list[bytes] = []
        cursor: bytes = b"0"
        while True:
            reply = await self._pipe.call("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)
            assert isinstance(reply, list) and isinstance(reply[0], bytes)
            cursor = reply[0]
            found += strings(reply[1])
            if cursor == b"0":
                return found

    async def reset(self) -> None:
        keys = await self._scan(self._p + "*")
        for i in range(0, len(keys), 500):
            await self._pipe.call("DEL", *keys[i : i + 500])

    async def close(self) -> None:
        await self._pipe.close()
