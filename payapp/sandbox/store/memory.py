"""The memory store: state in this process's memory (one process only), within the retention.

Values are kept serialized, as Redis keeps them, and handed out as fresh copies: a stored
idempotent response must not change when the payment it was made from changes later. Keeping
the bytes costs one orjson call per write and one per read, where copying dicts on both sides
cost two each. What is kept, and for how long, is :class:`..config.Retention`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator

import orjson

from ..config import Retention
from .base import JSONObject, Locked, fault_matches
from .memory_idempotency import MemoryIdempotency
from .memory_parts import MemoryRecords, Stripes, dump, load
from .memory_payments import MemoryPayments


def _copy(value: JSONObject) -> JSONObject:
    return load(orjson.dumps(value))


class MemoryStore:
    """State in this process's memory: fast, and right for exactly one process."""

    def __init__(self, log_size: int = 10_000, retention: Retention | None = None):
        self._log_size = log_size
        self._retention = retention = retention or Retention()
        self._payments = MemoryPayments(retention)
        self._idem = MemoryIdempotency(retention.max_idempotency_answers)
        self._records = MemoryRecords(retention.max_payments)  # billing authKeys, keys, windows
        self._log: deque[bytes] = deque(maxlen=log_size)
        self._faults: list[JSONObject] = []
        self._fault_ids = itertools.count(1)
        self._offset = 0.0
        self._targets: dict[str, JSONObject] = {}
        self._deliveries: deque[bytes] = deque(maxlen=log_size)
        self._retries: list[JSONObject] = []
        self._locks = [asyncio.Lock() for _ in range(64)]

    def _now(self) -> float:
        """The sandbox clock (the ledger's ``now``): real time plus the offset it was advanced by."""
        return time.time() + self._offset

    async def get_payment(self, payment_key: str) -> JSONObject | None:
        raw = self._payments.get(payment_key, self._now())
        return None if raw is None else load(raw)

    async def get_payments(self, payment_keys: list[str]) -> list[JSONObject | None]:
        now = self._now()
        return [None if (raw := self._payments.get(k, now)) is None else load(raw) for k in payment_keys]

    async def put_payment(self, record: JSONObject, transaction: tuple[float, JSONObject] | None = None) -> None:
        """Store the record and, when given, the transaction ``(time, row)`` that changed it."""
        self._payments.put(record, transaction, self._now())

    async def payment_keys_for_order(self, mid: str, order_id: str) -> list[str]:
        return self._payments.keys_for_order(mid, order_id, self._now())

    async def transactions(
        self, owner: str, start: float, end: float, after: str | None, limit: int
    ) -> list[JSONObject] | None:
        """``owner``'s transactions whose second is in [start, end], after the one keyed ``after``,
        oldest first; None when ``after`` is not one of ``owner``'s transactionKeys."""
        self._payments.forget_due(self._now())
        return self._payments.transactions.page(owner, start, end, after, limit)

    async def list_payments(self) -> list[JSONObject]:
        return [load(raw) for raw in self._payments.all(self._now())]

    def lock(self, *names: str) -> contextlib.AbstractAsyncContextManager[None]:
        """The lock of every name at once (one stripe each; names may share a stripe)."""
        n = len(self._locks)
        if len(names) == 1:
            return self._locks[zlib.crc32(names[0].encode()) % n]
        stripes = sorted({zlib.crc32(name.encode()) % n for name in names})
        return Stripes([self._locks[i] for i in stripes])

    @contextlib.asynccontextmanager
    async def locked(
        self, payment_key: str, *names: str, order: tuple[str, str] | None = None
    ) -> AsyncIterator[Locked]:
        """The locks of ``names`` and ``payment_key``; the payment, the clock, the order's keys."""
        async with self.lock(*names, payment_key):
            keys = self._payments.keys_for_order(*order, self._now()) if order is not None else []
            yield Locked(await self.get_payment(payment_key), self._offset, keys)

    async def get_record(self, kind: str, key: str) -> JSONObject | None:
        return self._records.get(kind, key)

    async def put_record(self, kind: str, key: str, value: JSONObject) -> None:
        self._records.put(kind, key, value)

    async def take_record(self, kind: str, key: str) -> JSONObject | None:
        return self._records.take(kind, key)

    async def idem_begin(self, key: str, token: str, now: float, hold: int) -> tuple[str, JSONObject | None]:
        return self._idem.begin(key, token, now, hold)

    async def idem_renew(self, key: str, token: str, hold: int) -> bool:
        return self._idem.renew(key, token, hold)

    async def idem_finish(self, key: str, token: str, response: JSONObject, expires_at: float, ttl: int) -> bool:
        return self._idem.finish(key, token, response, expires_at)

    async def idem_abort(self, key: str, token: str) -> bool:
        return self._idem.abort(key, token)

    async def idem_counts(self, now: float) -> dict[str, int]:
        return self._idem.counts(now)

    async def log_request(self, entry: JSONObject) -> None:
        self._log.append(dump(entry))

    async def requests(self) -> list[JSONObject]:
        return [load(raw) for raw in self._log]

    async def add_fault(self, rule: JSONObject, steps: list[JSONObject]) -> JSONObject:
        rule = {**rule, "id": next(self._fault_ids), "steps": list(steps)}
        self._faults.append(rule)
        return rule

    async def list_faults(self) -> list[JSONObject]:
        return [_copy(rule) for rule in self._faults]

    async def clear_faults(self) -> None:
        self._faults.clear()

    def may_have_faults(self) -> bool:
        return bool(self._faults)

    async def take_fault(self, method: str, path: str) -> JSONObject | None:
        for rule in self._faults:
            if fault_matches(rule, method, path) and rule["steps"]:
                if rule.get("forever"):
                    return _copy(rule["steps"][0])
                step: JSONObject = rule["steps"].pop(0)
                if not rule["steps"]:
                    self._faults.remove(rule)
                return _copy(step)
        return None

    async def clock_offset(self) -> float:
        return self._offset

    async def advance_clock(self, seconds: float) -> float:
        self._offset += seconds
        return self._offset

    async def webhook_targets(self) -> list[JSONObject]:
        return [_copy(target) for target in self._targets.values()]

    async def add_webhook_target(self, target: JSONObject) -> None:
        self._targets[target["url"]] = _copy(target)

    async def clear_webhook_targets(self) -> None:
        self._targets.clear()

    async def log_delivery(self, entry: JSONObject) -> None:
        self._deliveries.append(dump(entry))

    async def deliveries(self) -> list[JSONObject]:
        return [load(raw) for raw in self._deliveries]

    async def add_webhook_retry(self, item: JSONObject) -> None:
        # Bounded like the delivery log: a target that never answers leaves no endless queue.
        self._retries.append(_copy(item))
        if len(self._retries) > self._log_size:
            del self._retries[: len(self._retries) - self._log_size]

    async def take_due_webhook_retries(self, now: float) -> list[JSONObject]:
        due = [r for r in self._retries if r["dueAt"] <= now]
        self._retries = [r for r in self._retries if r["dueAt"] > now]
        return due

    async def reset(self) -> None:
        self.__init__(self._log_size, self._retention)  # type: ignore[misc]  # a fresh start, same settings

    async def close(self) -> None:
        return None
