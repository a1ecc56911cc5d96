"""The memory store's parts: its lock stripes, its keyed records and its transaction rows.

Records (billing authKeys, billing keys, billing windows) are JSON-able dicts under
``(kind, key)``; ``take_record`` reads and removes one in one step (a one-time authKey is used
once). Transaction rows are kept per owner in sort-key order, serialized, as Redis does.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left, bisect_right, insort

import orjson

from ..transactions import sort_key, window_keys


class _Stripes:
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
    """Records in this process: ``self._records`` is set up (and reset) by the store."""

    _records: dict[tuple[str, str], bytes]

    async def get_record(self, kind: str, key: str) -> dict | None:
        raw = self._records.get((kind, key))
        return None if raw is None else orjson.loads(raw)

    async def put_record(self, kind: str, key: str, value: dict) -> None:
        self._records[(kind, key)] = orjson.dumps(value)

    async def take_record(self, kind: str, key: str) -> dict | None:
        raw = self._records.pop((kind, key), None)
        return None if raw is None else orjson.loads(raw)


class MemoryTransactions:
    """Rows in this process: per owner, sort keys in order; rows kept serialized, as Redis does."""

    __slots__ = ("_keys", "_rows", "_owner_key")

    def __init__(self) -> None:
        self._keys: dict[str, list[str]] = {}
        self._rows: dict[str, bytes] = {}
        self._owner_key: dict[tuple[str, str], str] = {}  # (owner, transactionKey) → sort key

    def add(self, owner: str, ts: float, row: dict) -> None:
        key = sort_key(ts, row["transactionKey"])
        keys = self._keys.setdefault(owner, [])
        if not keys or keys[-1] < key:
            keys.append(key)  # the usual case: rows arrive in time order
        else:
            insort(keys, key)
        self._rows[key] = orjson.dumps(row)
        self._owner_key[(owner, row["transactionKey"])] = key

    def page(self, owner: str, start: float, end: float, after: str | None, limit: int) -> list[dict] | None:
        """The owner's rows in the window after ``after``; None when ``after`` is not one of its keys."""
        keys = self._keys.get(owner, [])
        low, high = window_keys(start, end)
        first = bisect_left(keys, low)
        if after is not None:
            cursor = self._owner_key.get((owner, after))
            if cursor is None:
                return None
            first = max(first, bisect_right(keys, cursor))
        last = min(bisect_left(keys, high), first + limit)
        return [orjson.loads(self._rows[k]) for k in keys[first:last]]
