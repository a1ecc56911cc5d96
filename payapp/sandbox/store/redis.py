"""The Redis store: state in Redis, shared by any number of sandbox worker processes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson

from ..transactions import sort_key, window_keys
from .base import fault_matches


class RedisRecords:
    """Records in Redis, under the store's prefix (so ``reset`` drops them too)."""

    # ``_r`` (the client) and ``_k`` (a prefixed key) are RedisStore's.
    async def get_record(self, kind: str, key: str) -> dict | None:
        raw = await self._r.get(self._k("rec", kind, key))  # type: ignore[attr-defined]
        return orjson.loads(raw) if raw else None

    async def put_record(self, kind: str, key: str, value: dict) -> None:
        await self._r.set(self._k("rec", kind, key), orjson.dumps(value))  # type: ignore[attr-defined]

    async def take_record(self, kind: str, key: str) -> dict | None:
        raw = await self._r.getdel(self._k("rec", kind, key))  # type: ignore[attr-defined]
        return orjson.loads(raw) if raw else None


# A running request's record lives only as long as its Redis TTL (real seconds, renewed
# while it runs), so any record still there in state "processing" is held; a finished
# one is judged on the sandbox clock (ARGV[2]).
_IDEM_BEGIN = """
local raw = redis.call('GET', KEYS[1])
if raw then
  local rec = cjson.decode(raw)
  if rec['state'] == 'processing' or tonumber(rec['expiresAt']) > tonumber(ARGV[2]) then
    return raw
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return false
"""

# Compare-and-set on a running request's hold: act only while no other run holds the key,
# i.e. it holds exactly the record this run wrote (its token is in it) or nothing (the hold
# ran out and nobody took the key: the run still stores its answer). ARGV[2]: renew |
# finish | abort.
_IDEM_HOLDER = """
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then
  return 0
end
if ARGV[2] == 'renew' then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
elseif ARGV[2] == 'finish' then
  redis.call('SET', KEYS[1], ARGV[4], 'EX', ARGV[3])
elseif cur then
  redis.call('DEL', KEYS[1])
end
return 1
"""


class RedisStore(RedisRecords):
    """State in Redis, so that several sandbox worker processes agree on it."""

    def __init__(self, url: str, prefix: str = "tosssbx:", log_size: int = 10_000):
        import redis.asyncio as aioredis

        self._r = aioredis.from_url(url, max_connections=64)
        self._idem_begin = self._r.register_script(_IDEM_BEGIN)  # EVALSHA, not the script each call
        self._idem_holder = self._r.register_script(_IDEM_HOLDER)
        self._p = prefix
        self._log_size = log_size

    def _k(self, *parts: str) -> str:
        return self._p + ":".join(parts)

    async def get_payment(self, payment_key: str) -> dict | None:
        raw = await self._r.get(self._k("pay", payment_key))
        return orjson.loads(raw) if raw else None

    async def get_payments(self, payment_keys: list[str]) -> list[dict | None]:
        if not payment_keys:
            return []
        raws = await self._r.mget([self._k("pay", k) for k in payment_keys])
        return [orjson.loads(raw) if raw else None for raw in raws]

    async def put_payment(self, record: dict, transaction: tuple[float, dict] | None = None) -> None:
        p = record["payment"]
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.set(self._k("pay", p["paymentKey"]), orjson.dumps(record))
            if transaction is not None:
                # One sorted set per owner, every score 0, so that it is ordered by member: the
                # sort key, a newline, the row. A hash finds a transactionKey's member (cursors).
                owner, (ts, row) = record["internal"]["clientKey"], transaction
                member = sort_key(ts, row["transactionKey"]).encode() + b"\n" + orjson.dumps(row)
                pipe.zadd(self._k("txs", owner), {member: 0})
                pipe.hset(self._k("txkeys", owner), row["transactionKey"], member)
            # Every payment of the order, scored by creation: NX keeps the first score, so
            # later saves of a payment leave its place alone.
            pipe.zadd(
                self._k("orderpays", p["mId"], p["orderId"]),
                {p["paymentKey"]: record["internal"]["createdAt"]},
                nx=True,
            )
            pipe.sadd(self._k("pays"), p["paymentKey"])
            await pipe.execute()

    async def payment_keys_for_order(self, mid: str, order_id: str) -> list[str]:
        return [k.decode() for k in await self._r.zrange(self._k("orderpays", mid, order_id), 0, -1)]

    async def transactions(
        self, owner: str, start: float, end: float, after: str | None, limit: int
    ) -> list[dict] | None:
        low, high = (k.encode() for k in window_keys(start, end))
        lower = b"[" + low
        if after is not None:
            cursor = await self._r.hget(self._k("txkeys", owner), after)
            if cursor is None:
                return None
            if cursor >= low:
                lower = b"(" + cursor
        members = await self._r.zrangebylex(self._k("txs", owner), lower, b"(" + high, start=0, num=limit)
        return [orjson.loads(m.split(b"\n", 1)[1]) for m in members]

    async def list_payments(self) -> list[dict]:
        keys = [k.decode() for k in await self._r.smembers(self._k("pays"))]
        if not keys:
            return []
        raws = await self._r.mget([self._k("pay", k) for k in keys])
        return [orjson.loads(r) for r in raws if r]

    @contextlib.asynccontextmanager
    async def lock(self, *names: str) -> AsyncIterator[None]:
        """The lock of every name, taken in the order given (callers keep one order: the
        order's lock before its payment's)."""
        async with contextlib.AsyncExitStack() as stack:
            for name in names:
                await stack.enter_async_context(self._r.lock(self._k("lock", name), timeout=60, blocking_timeout=60))
            yield

    @staticmethod
    def _processing(token: str) -> bytes:
        return orjson.dumps({"state": "processing", "token": token})

    async def idem_begin(self, key: str, token: str, now: float, hold: int) -> tuple[str, dict | None]:
        # One atomic step, so that of several workers exactly one starts the request.
        # A running request's hold is its Redis TTL, in real seconds (``hold``, renewed by
        # the run), so that a worker that died mid-request frees the key; a finished one
        # expires on the sandbox clock (POST /_sandbox/clock moves it).
        raw = await self._idem_begin(keys=[self._k("idem", key)], args=[self._processing(token), repr(now), hold])
        if raw is None:
            return "new", None
        rec = orjson.loads(raw)
        if rec["state"] == "processing":
            return "processing", None
        return "done", rec["response"]

    async def _if_holder(self, key: str, token: str, *args: Any) -> bool:
        return bool(await self._idem_holder(keys=[self._k("idem", key)], args=[self._processing(token), *args]))

    async def idem_renew(self, key: str, token: str, hold: int) -> bool:
        return await self._if_holder(key, token, "renew", hold)

    async def idem_finish(self, key: str, token: str, response: dict, expires_at: float, ttl: int) -> bool:
        rec = {"state": "done", "response": response, "expiresAt": expires_at}
        return await self._if_holder(key, token, "finish", ttl, orjson.dumps(rec))

    async def idem_abort(self, key: str, token: str) -> bool:
        return await self._if_holder(key, token, "abort")

    async def idem_counts(self, now: float) -> dict[str, int]:
        counts = {"processing": 0, "done": 0}
        keys = [k async for k in self._r.scan_iter(match=self._k("idem", "*"), count=1000)]
        for i in range(0, len(keys), 500):
            for raw in await self._r.mget(keys[i : i + 500]):
                rec = orjson.loads(raw) if raw else None
                if rec and (rec["state"] == "processing" or rec["expiresAt"] > now):
                    counts[rec["state"]] += 1
        return counts

    async def _push_capped(self, name: str, entry: dict) -> None:
        """Append to a log list that keeps only the newest ``log_size`` entries."""
        async with self._r.pipeline(transaction=False) as pipe:
            pipe.rpush(self._k(name), orjson.dumps(entry))
            pipe.ltrim(self._k(name), -self._log_size, -1)
            await pipe.execute()

    async def _read_list(self, name: str) -> list[dict]:
        return [orjson.loads(r) for r in await self._r.lrange(self._k(name), 0, -1)]

    async def log_request(self, entry: dict) -> None:
        await self._push_capped("log", entry)

    async def requests(self) -> list[dict]:
        return await self._read_list("log")

    async def add_fault(self, rule: dict, steps: list[dict]) -> dict:
        fid = await self._r.incr(self._k("faultseq"))
        rule = {**rule, "id": fid}
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.hset(self._k("faults"), str(fid), orjson.dumps(rule))
            pipe.rpush(self._k("fsteps", str(fid)), *[orjson.dumps(s) for s in steps])
            await pipe.execute()
        return {**rule, "steps": steps}

    async def _rules(self) -> list[dict]:
        raw = await self._r.hgetall(self._k("faults"))
        return sorted((orjson.loads(v) for v in raw.values()), key=lambda r: r["id"])

    async def list_faults(self) -> list[dict]:
        out = []
        for rule in await self._rules():
            steps = await self._r.lrange(self._k("fsteps", str(rule["id"])), 0, -1)
            out.append({**rule, "steps": [orjson.loads(s) for s in steps]})
        return out

    async def clear_faults(self) -> None:
        for rule in await self._rules():
            await self._r.delete(self._k("fsteps", str(rule["id"])))
        await self._r.delete(self._k("faults"))

    def may_have_faults(self) -> bool:
        return True  # other workers may have added some

    async def take_fault(self, method: str, path: str) -> dict | None:
        for rule in await self._rules():
            if not fault_matches(rule, method, path):
                continue
            steps_key = self._k("fsteps", str(rule["id"]))
            raw = await (self._r.lindex(steps_key, 0) if rule.get("forever") else self._r.lpop(steps_key))
            if raw is None:
                await self._r.hdel(self._k("faults"), str(rule["id"]))
                continue
            if not rule.get("forever") and not await self._r.exists(steps_key):
                await self._r.hdel(self._k("faults"), str(rule["id"]))
            return orjson.loads(raw)
        return None

    async def clock_offset(self) -> float:
        raw = await self._r.get(self._k("clock"))
        return float(raw) if raw else 0.0

    async def advance_clock(self, seconds: float) -> float:
        return float(await self._r.incrbyfloat(self._k("clock"), seconds))

    async def webhook_targets(self) -> list[dict]:
        raw = await self._r.hgetall(self._k("whtargets"))
        return [orjson.loads(v) for _, v in sorted(raw.items())]

    async def add_webhook_target(self, target: dict) -> None:
        await self._r.hset(self._k("whtargets"), target["url"], orjson.dumps(target))

    async def clear_webhook_targets(self) -> None:
        await self._r.delete(self._k("whtargets"))

    async def log_delivery(self, entry: dict) -> None:
        await self._push_capped("whlog", entry)

    async def deliveries(self) -> list[dict]:
        return await self._read_list("whlog")

    async def add_webhook_retry(self, item: dict) -> None:
        await self._r.zadd(self._k("whretry"), {orjson.dumps(item): item["dueAt"]})

    async def take_due_webhook_retries(self, now: float) -> list[dict]:
        # ZREM claims each one: of several workers flushing at once, exactly one sends it.
        raws = await self._r.zrangebyscore(self._k("whretry"), "-inf", now)
        return [orjson.loads(raw) for raw in raws if await self._r.zrem(self._k("whretry"), raw)]

    async def reset(self) -> None:
        keys: list[Any] = [k async for k in self._r.scan_iter(match=self._p + "*", count=1000)]
        for i in range(0, len(keys), 500):
            await self._r.delete(*keys[i : i + 500])

    async def close(self) -> None:
        await self._r.aclose()
