"""Small keyed records beside the payments: billing authKeys, billing keys, billing windows.

Mixed into both stores (``MemoryStore(MemoryRecords)``, ``RedisStore(RedisRecords)``) so that
the stores' own module does not grow with every new kind of state. A record is a JSON-able
dict under ``(kind, key)``; ``take_record`` reads and removes it in one step (a one-time
authKey is used once, even by two workers at the same instant).
"""

from __future__ import annotations

import orjson


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
