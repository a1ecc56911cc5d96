"""The memory store's payments, their orders and their transaction rows, within the retention.

Payments are kept in the order they last changed (an ordered dict: a change moves one to the
end), so the ones to forget are always at the front: past ``Retention.payment_seconds`` since
their last change on the sandbox clock, or beyond ``Retention.max_payments``. Forgetting one
takes its transaction rows and its place in its order with it; each costs O(1) amortized, and
it happens on the writes and reads themselves (no sweeper task).
"""

from __future__ import annotations

from collections import OrderedDict

from ..config import Retention
from .base import JSONObject
from .memory_parts import dump
from .memory_transactions import MemoryTransactions


class _Kept:
    """One payment as kept: its record's JSON, when it last changed, and what points at it."""

    __slots__ = ("raw", "changed_at", "order", "owner", "transaction_keys")

    def __init__(self, order: tuple[str, str], owner: str) -> None:
        self.raw = b""
        self.changed_at = 0.0
        self.order = order
        self.owner = owner
        self.transaction_keys: list[str] = []


class MemoryPayments:
    """Payment records by paymentKey, the paymentKeys of each (mId, orderId), the rows."""

    __slots__ = ("_retention", "_kept", "_orders", "transactions")

    def __init__(self, retention: Retention) -> None:
        self._retention = retention
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        # (mId, orderId) → its paymentKeys, oldest first (a dict as an ordered set).
        self._orders: dict[tuple[str, str], dict[str, None]] = {}
        self.transactions = MemoryTransactions()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, payment_key: str, now: float) -> bytes | None:
        self.forget_due(now)
        kept = self._kept.get(payment_key)
        return None if kept is None else kept.raw

    def put(self, record: JSONObject, transaction: tuple[float, JSONObject] | None, now: float) -> None:
        """Keep the record as changed at ``now``, with the transaction ``(time, row)`` that changed it."""
        p = record["payment"]
        key = p["paymentKey"]
        kept = self._kept.get(key)
        if kept is None:
            kept = _Kept((p["mId"], p["orderId"]), record["internal"]["clientKey"])
            self._kept[key] = kept
            self._orders.setdefault(kept.order, {})[key] = None
        else:
            self._kept.move_to_end(key)
        kept.raw = dump(record)
        kept.changed_at = now
        if transaction is not None:
            ts, row = transaction
            self.transactions.add(kept.owner, ts, row)
            kept.transaction_keys.append(row["transactionKey"])
        self.forget_due(now)

    def keys_for_order(self, mid: str, order_id: str, now: float) -> list[str]:
        self.forget_due(now)
        keys = self._orders.get((mid, order_id))
        return list(keys) if keys else []

    def all(self, now: float) -> list[bytes]:
        self.forget_due(now)
        return [kept.raw for kept in self._kept.values()]

    def forget_due(self, now: float) -> None:
        """Forget the payments past the retention: the oldest-changed first, so only from the front."""
        kept_payments, limit = self._kept, self._retention.max_payments
        oldest = now - self._retention.payment_seconds
        while kept_payments:
            key = next(iter(kept_payments))
            kept = kept_payments[key]
            if len(kept_payments) <= limit and kept.changed_at > oldest:
                return
            del kept_payments[key]
            keys = self._orders[kept.order]
            del keys[key]
            if not keys:
                del self._orders[kept.order]
            for transaction_key in kept.transaction_keys:
                self.transactions.remove(kept.owner, transaction_key)
