"""The memory store's small parts: how it keeps a value, its lock stripes and its keyed records.

Records (billing authKeys, billing keys, billing windows) are JSON-able dicts under
``(kind, key)``; ``take_record`` reads and removes one in one step (a one-time authKey is used
once).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

import orjson

from .base import JSONObject


def dump(value: object) -> bytes:
    """``value`` as JSON bytes of exactly its length, to keep.

    orjson hands out its working buffer with the bytes: about 16 KB behind a 1.5 KB payment
    (measured with orjson 3.13), which a value kept for hours must not hold. One copy of the
    bytes trims it; ``orjson.dumps`` alone is right for what is sent and dropped.
    """
    return memoryview(orjson.dumps(value)).tobytes()


def load(raw: bytes) -> JSONObject:
    value: JSONObject = orjson.loads(raw)
    return value


class Stripes:
    """Several of the memory store's lock stripes, taken in index order.

    Every holder of more than one stripe takes them lowest first, and holders of one never
    wait for a second: two of them can never each hold what the other waits for.
    """

    __slots__ = ("_locks",)

    def __init__(self, locks: list[asyncio.Lock]):
        self._locks = locks

    async def __aenter__(self) -> None:
        taken: list[asyncio.Lock] = []
        try:
            for lock in self._locks:
                await lock.acquire()
                taken.append(lock)
        except BaseException:
            for lock in reversed(taken):
                lock.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        for lock in reversed(self._locks):
            lock.release()


class MemoryRecords:
    """Records in this process, the newest ``limit`` written (the oldest are dropped first)."""

    __slots__ = ("_records", "_limit")

    def __init__(self, limit: int) -> None:
        self._records: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._limit = limit

    def get(self, kind: str, key: str) -> JSONObject | None:
        raw = self._records.get((kind, key))
        return None if raw is None else load(raw)

    def put(self, kind: str, key: str, value: JSONObject) -> None:
        self._records[(kind, key)] = dump(value)
        self._records.move_to_end((kind, key))
        while len(self._records) > self._limit:
            self._records.popitem(last=False)

    def take(self, kind: str, key: str) -> JSONObject | None:
        raw = self._records.pop((kind, key), None)
        return None if raw is None else load(raw)
