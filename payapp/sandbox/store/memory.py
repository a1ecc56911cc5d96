"""The memory store: state in this process's memory (one process only)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import zlib
from collections import deque
from typing import Any

import orjson

from .base import fault_matches
from .memory_parts import MemoryRecords, MemoryTransactions, _Stripes


def _copy(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value))


# The memory store keeps values serialized, as Redis does, and hands out fresh copies: a
# stored idempotent response must not change when the payment it was made from changes
# later. Keeping the bytes costs one orjson call per write and one per read, where
# copying dicts on both sides cost two each.
_dump = orjson.dumps
_load = orjson.loads


class MemoryStore(MemoryRecords):
    """State in this process's memory: fast, and right for exactly one process."""

    def __init__(self, log_size: int = 10_000):
        self._payments: dict[str, bytes] = {}
        # (mId, orderId) → its paymentKeys, oldest first (a dict as an ordered set).
        self._orders: dict[tuple[str, str], dict[str, None]] = {}
        self._transactions = MemoryTransactions()
        self._idem: dict[str, dict] = {}
        self._log: deque[bytes] = deque(maxlen=log_size)
        self._faults: list[dict] = []
        self._fault_ids = itertools.count(1)
        self._offset = 0.0
        self._targets: dict[str, dict] = {}
        self._deliveries: deque[bytes] = deque(maxlen=log_size)
        self._retries: list[dict] = []
        self._locks = [asyncio.Lock() for _ in range(64)]
        self._records = {}  # records.MemoryRecords: billing authKeys and keys

    async def get_payment(self, payment_key: str) -> dict | None:
        raw = self._payments.get(payment_key)
        return None if raw is None else _load(raw)

    async def get_payments(self, payment_keys: list[str]) -> list[dict | None]:
        return [None if (raw := self._payments.get(k)) is None else _load(raw) for k in payment_keys]

    async def put_payment(self, record: dict, transaction: tuple[float, dict] | None = None) -> None:
        """Store the record and, when given, the transaction ``(time, row)`` that changed it."""
        p = record["payment"]
        key = p["paymentKey"]
        self._payments[key] = _dump(record)
        if transaction is not None:
            self._transactions.add(record["internal"]["clientKey"], *transaction)
        order = (p["mId"], p["orderId"])
        keys = self._orders.get(order)
        if keys is None:
            self._orders[order] = {key: None}
        elif key not in keys:
            keys[key] = None

    async def payment_keys_for_order(self, mid: str, order_id: str) -> list[str]:
        keys = self._orders.get((mid, order_id))
        return list(keys) if keys else []

    async def transactions(
        self, owner: str, start: float, end: float, after: str | None, limit: int
    ) -> list[dict] | None:
        """``owner``'s transactions whose second is in [start, end], after the one keyed ``after``,
        oldest first; None when ``after`` is not one of ``owner``'s transactionKeys."""
        return self._transactions.page(owner, start, end, after, limit)

    async def list_payments(self) -> list[dict]:
        return [_load(raw) for raw in self._payments.values()]

    def lock(self, *names: str) -> contextlib.AbstractAsyncContextManager[None]:
        """The lock of every name at once (one stripe each; names may share a stripe)."""
        n = len(self._locks)
        if len(names) == 1:
            return self._locks[zlib.crc32(names[0].encode()) % n]
        stripes = sorted({zlib.crc32(name.encode()) % n for name in names})
        return _Stripes([self._locks[i] for i in stripes])

    # Idempotency records. A running request's record carries its run's ``token`` and is
    # held until ``heldUntil`` on the real monotonic clock (the run renews it while it
    # runs); a finished one keeps the response until ``expiresAt`` on the sandbox clock.
    # A run may renew, finish or abort while no *other* run holds the key: its own record
    # (even past its hold, if nobody took the key meanwhile) or none. So a stalled run
    # still stores its answer unless another run took over, which keeps its own.
    def _taken_by_another(self, key: str, token: str) -> bool:
        rec = self._idem.get(key)
        if rec is None or rec.get("token") == token:
            return False
        return rec["state"] == "done" or rec["heldUntil"] > time.monotonic()

    async def idem_begin(self, key: str, token: str, now: float, hold: int) -> tuple[str, dict | None]:
        rec = self._idem.get(key)
        if rec is not None:
            if rec["state"] == "processing":
                if rec["heldUntil"] > time.monotonic():
                    return "processing", None
            elif rec["expiresAt"] > now:
                return "done", _load(rec["response"])
        self._idem[key] = {"state": "processing", "token": token, "heldUntil": time.monotonic() + hold}
        return "new", None

    async def idem_renew(self, key: str, token: str, hold: int) -> bool:
        if self._taken_by_another(key, token):
            return False
        self._idem[key] = {"state": "processing", "token": token, "heldUntil": time.monotonic() + hold}
        return True

    async def idem_finish(self, key: str, token: str, response: dict, expires_at: float, ttl: int) -> bool:
        if self._taken_by_another(key, token):
            return False
        self._idem[key] = {"state": "done", "response": _dump(response), "expiresAt": expires_at}
        return True

    async def idem_abort(self, key: str, token: str) -> bool:
        if self._taken_by_another(key, token):
            return False
        self._idem.pop(key, None)
        return True

    async def idem_counts(self, now: float) -> dict[str, int]:
        real = time.monotonic()
        processing = sum(1 for r in self._idem.values() if r["state"] == "processing" and r["heldUntil"] > real)
        done = sum(1 for r in self._idem.values() if r["state"] == "done" and r["expiresAt"] > now)
        return {"processing": processing, "done": done}

    async def log_request(self, entry: dict) -> None:
        self._log.append(_dump(entry))

    async def requests(self) -> list[dict]:
        return [_load(raw) for raw in self._log]

    async def add_fault(self, rule: dict, steps: list[dict]) -> dict:
        rule = {**rule, "id": next(self._fault_ids), "steps": list(steps)}
        self._faults.append(rule)
        return rule

    async def list_faults(self) -> list[dict]:
        return _copy(self._faults)

    async def clear_faults(self) -> None:
        self._faults.clear()

    def may_have_faults(self) -> bool:
        return bool(self._faults)

    async def take_fault(self, method: str, path: str) -> dict | None:
        for rule in self._faults:
            if fault_matches(rule, method, path) and rule["steps"]:
                if rule.get("forever"):
                    return _copy(rule["steps"][0])
                step = rule["steps"].pop(0)
                if not rule["steps"]:
                    self._faults.remove(rule)
                return _copy(step)
        return None

    async def clock_offset(self) -> float:
        return self._offset

    async def advance_clock(self, seconds: float) -> float:
        self._offset += seconds
        return self._offset

    async def webhook_targets(self) -> list[dict]:
        return _copy(list(self._targets.values()))

    async def add_webhook_target(self, target: dict) -> None:
        self._targets[target["url"]] = _copy(target)

    async def clear_webhook_targets(self) -> None:
        self._targets.clear()

    async def log_delivery(self, entry: dict) -> None:
        self._deliveries.append(_dump(entry))

    async def deliveries(self) -> list[dict]:
        return [_load(raw) for raw in self._deliveries]

    async def add_webhook_retry(self, item: dict) -> None:
        self._retries.append(_copy(item))

    async def take_due_webhook_retries(self, now: float) -> list[dict]:
        due = [r for r in self._retries if r["dueAt"] <= now]
        self._retries = [r for r in self._retries if r["dueAt"] > now]
        return due

    async def reset(self) -> None:
        self.__init__(self._log.maxlen or 10_000)

    async def close(self) -> None:
        return None
