"""The memory store's Idempotency-Key records, within the retention.

A running request's record carries its run's ``token`` and is held until ``heldUntil`` on the
real monotonic clock (the run renews it while it runs); a finished one keeps the response until
``expiresAt`` on the sandbox clock (``SandboxConfig.idempotency_ttl`` after it was made). A run
may renew, finish or abort while no *other* run holds the key: its own record (even past its
hold, if nobody took the key meanwhile) or none. So a stalled run still stores its answer unless
another run took over, which keeps its own.

Records are kept in the order they were last written; at most ``Retention.max_idempotency_answers``
of them, the oldest dropped first (a held one is passed over). An answer past its ``expiresAt``
counts as gone at once and leaves memory with the count. A dropped key runs its request again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import TypedDict

from .base import JSONObject
from .memory_parts import dump, load


class _Record(TypedDict, total=False):
    state: str  # "processing" | "done"
    token: str
    heldUntil: float  # real monotonic seconds
    response: bytes
    expiresAt: float  # sandbox clock


class MemoryIdempotency:
    __slots__ = ("_records", "_limit")

    def __init__(self, limit: int) -> None:
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._limit = limit

    def _held(self, rec: _Record) -> bool:
        return rec["state"] == "processing" and rec["heldUntil"] > time.monotonic()

    def _set(self, key: str, rec: _Record) -> None:
        """Write ``rec`` as the newest record, dropping the oldest first while there are too
        many (so never the record just written)."""
        records = self._records
        records.pop(key, None)
        passed_over = 0
        while records and passed_over < len(records):
            first = next(iter(records))
            old = records[first]
            if len(records) < self._limit:
                break
            records.popitem(last=False)
            if self._held(old):  # a live run keeps its key: to the back of the line
                records[first] = old
                passed_over += 1
        records[key] = rec

    def _taken_by_another(self, key: str, token: str) -> bool:
        rec = self._records.get(key)
        if rec is None or rec.get("token") == token:
            return False
        return rec["state"] == "done" or rec["heldUntil"] > time.monotonic()

    def _processing(self, token: str, hold: int) -> _Record:
        return {"state": "processing", "token": token, "heldUntil": time.monotonic() + hold}

    def begin(self, key: str, token: str, now: float, hold: int) -> tuple[str, JSONObject | None]:
        rec = self._records.get(key)
        if rec is not None:
            if rec["state"] == "processing":
                if rec["heldUntil"] > time.monotonic():
                    return "processing", None
            elif rec["expiresAt"] > now:
                return "done", load(rec["response"])
        self._set(key, self._processing(token, hold))
        return "new", None

    def renew(self, key: str, token: str, hold: int) -> bool:
        if self._taken_by_another(key, token):
            return False
        self._set(key, self._processing(token, hold))
        return True

    def finish(self, key: str, token: str, response: JSONObject, expires_at: float) -> bool:
        if self._taken_by_another(key, token):
            return False
        self._set(key, {"state": "done", "response": dump(response), "expiresAt": expires_at})
        return True

    def abort(self, key: str, token: str) -> bool:
        if self._taken_by_another(key, token):
            return False
        self._records.pop(key, None)
        return True

    def counts(self, now: float) -> dict[str, int]:
        real = time.monotonic()
        records = self._records.values()
        processing = sum(1 for r in records if r["state"] == "processing" and r["heldUntil"] > real)
        done = sum(1 for r in records if r["state"] == "done" and r["expiresAt"] > now)
        return {"processing": processing, "done": done}
