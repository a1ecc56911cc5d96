"""The Redis store's smaller parts: keyed records, the request and delivery logs, faults and
webhook targets and retries. Every command goes through the worker's pipelined connection."""

from __future__ import annotations

import orjson

from . import redis_scripts as lua
from .base import JSONObject, fault_matches
from .redis_pipe import Pipe, Reply


def load(raw: bytes) -> JSONObject:
    value: JSONObject = orjson.loads(raw)
    return value


def load_or_none(reply: Reply) -> JSONObject | None:
    return load(reply) if isinstance(reply, bytes) else None


def strings(reply: Reply) -> list[bytes]:
    """A list reply's strings (a missing key's list is empty)."""
    return [item for item in reply if isinstance(item, bytes)] if isinstance(reply, list) else []


def values(reply: Reply) -> list[bytes | None]:
    """An MGET reply: each key's value, None where it has none."""
    return [item if isinstance(item, bytes) else None for item in reply] if isinstance(reply, list) else []


class RedisBase:
    """The pipe and the key names every part of the Redis store shares."""

    def __init__(self, pipe: Pipe, prefix: str, log_size: int) -> None:
        self._pipe = pipe
        self._p = prefix
        self._log_size = log_size

    def _k(self, *parts: str) -> str:
        return self._p + ":".join(parts)


class RedisParts(RedisBase):
    # ---- records (billing authKeys, billing keys, billing windows): take_record reads and
    # removes in one step, so that a one-time authKey is used once, even by two workers.
    async def get_record(self, kind: str, key: str) -> JSONObject | None:
        return load_or_none(await self._pipe.call("GET", self._k("rec", kind, key)))

    async def put_record(self, kind: str, key: str, value: JSONObject) -> None:
        await self._pipe.call("SET", self._k("rec", kind, key), orjson.dumps(value))

    async def take_record(self, kind: str, key: str) -> JSONObject | None:
        return load_or_none(await self._pipe.call("GETDEL", self._k("rec", kind, key)))

    # ---- logs: lists that keep their newest ``log_size`` entries
    async def _push_capped(self, name: str, entry: JSONObject) -> None:
        await lua.PUSH_CAPPED(self._pipe, [self._k(name)], [orjson.dumps(entry), self._log_size])

    async def _read_list(self, name: str) -> list[JSONObject]:
        return [load(raw) for raw in strings(await self._pipe.call("LRANGE", self._k(name), 0, -1))]

    async def log_request(self, entry: JSONObject) -> None:
        await self._push_capped("log", entry)

    async def requests(self) -> list[JSONObject]:
        return await self._read_list("log")

    async def log_delivery(self, entry: JSONObject) -> None:
        await self._push_capped("whlog", entry)

    async def deliveries(self) -> list[JSONObject]:
        return await self._read_list("whlog")

    # ---- faults: rules in a hash by id, each rule's steps in a list
    async def add_fault(self, rule: JSONObject, steps: list[JSONObject]) -> JSONObject:
        fid = await self._pipe.call("INCR", self._k("faultseq"))
        assert isinstance(fid, int)
        rule = {**rule, "id": fid}
        keys = [self._k("faults"), self._k("fsteps", str(fid))]
        await lua.ADD_FAULT(self._pipe, keys, [str(fid), orjson.dumps(rule), *[orjson.dumps(s) for s in steps]])
        return {**rule, "steps": steps}

    async def _rules(self) -> list[JSONObject]:
        # Every request asks (HGETALL answers field, value, field, value, ...): a shared read.
        fields_and_rules = strings(await self._pipe.read_shared("HGETALL", self._k("faults")))
        return sorted((load(raw) for raw in fields_and_rules[1::2]), key=lambda r: int(r["id"]))

    async def list_faults(self) -> list[JSONObject]:
        out = []
        for rule in await self._rules():
            steps = strings(await self._pipe.call("LRANGE", self._k("fsteps", str(rule["id"])), 0, -1))
            out.append({**rule, "steps": [load(s) for s in steps]})
        return out

    async def clear_faults(self) -> None:
        steps = [self._k("fsteps", str(rule["id"])) for rule in await self._rules()]
        await self._pipe.call("DEL", self._k("faults"), *steps)

    def may_have_faults(self) -> bool:
        return True  # other workers may have added some

    async def take_fault(self, method: str, path: str) -> JSONObject | None:
        for rule in await self._rules():  # nearly always none
            if not fault_matches(rule, method, path):
                continue
            fid = str(rule["id"])
            keys = [self._k("fsteps", fid), self._k("faults")]
            step = await lua.TAKE_STEP(self._pipe, keys, ["forever" if rule.get("forever") else "once", fid])
            if isinstance(step, bytes):
                return load(step)
        return None

    # ---- webhooks
    async def webhook_targets(self) -> list[JSONObject]:
        # Read on every status change (a shared read), in the order of their URLs.
        flat = strings(await self._pipe.read_shared("HGETALL", self._k("whtargets")))
        return [load(raw) for _, raw in sorted(zip(flat[0::2], flat[1::2], strict=True))]

    async def add_webhook_target(self, target: JSONObject) -> None:
        await self._pipe.call("HSET", self._k("whtargets"), target["url"], orjson.dumps(target))

    async def clear_webhook_targets(self) -> None:
        await self._pipe.call("DEL", self._k("whtargets"))

    async def add_webhook_retry(self, item: JSONObject) -> None:
        await self._pipe.call("ZADD", self._k("whretry"), repr(float(item["dueAt"])), orjson.dumps(item))

    async def take_due_webhook_retries(self, now: float) -> list[JSONObject]:
        # Taken off the set in the same step: of several workers flushing at once, exactly one
        # sends each.
        return [load(raw) for raw in strings(await lua.TAKE_DUE(self._pipe, [self._k("whretry")], [repr(now)]))]
