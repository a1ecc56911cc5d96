"""The memory store's transaction rows (거래), per owner in sort-key order, serialized as Redis does.

A row leaves with its payment (retention). Removing one from the middle of a sorted list would
move every row after it, so a removed row leaves its sort key behind, skipped by reads, and an
owner's list is rebuilt without them once they are half of it: each removal costs O(1)
amortized.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort

from ..transactions import sort_key, window_keys
from .base import JSONObject
from .memory_parts import dump, load


class MemoryTransactions:
    """Rows in this process: per owner, sort keys in order (some of them removed rows')."""

    __slots__ = ("_keys", "_rows", "_owner_key", "_removed")

    def __init__(self) -> None:
        self._keys: dict[str, list[str]] = {}
        self._rows: dict[str, bytes] = {}  # sort key → row, for rows still kept
        self._owner_key: dict[tuple[str, str], str] = {}  # (owner, transactionKey) → sort key
        self._removed: dict[str, int] = {}  # owner → removed rows still in its list

    def add(self, owner: str, ts: float, row: JSONObject) -> None:
        key = sort_key(ts, row["transactionKey"])
        keys = self._keys.setdefault(owner, [])
        if not keys or keys[-1] < key:
            keys.append(key)  # the usual case: rows arrive in time order
        else:
            insort(keys, key)
        self._rows[key] = dump(row)
        self._owner_key[(owner, row["transactionKey"])] = key

    def remove(self, owner: str, transaction_key: str) -> None:
        key = self._owner_key.pop((owner, transaction_key), None)
        if key is None or self._rows.pop(key, None) is None:
            return
        keys = self._keys[owner]
        removed = self._removed.get(owner, 0) + 1
        if removed * 2 < len(keys):
            self._removed[owner] = removed
            return
        rows = self._rows
        kept = [k for k in keys if k in rows]
        if kept:
            self._keys[owner] = kept
        else:
            del self._keys[owner]
        self._removed.pop(owner, None)

    def page(self, owner: str, start: float, end: float, after: str | None, limit: int) -> list[JSONObject] | None:
        """The owner's rows in the window after ``after``; None when ``after`` is not one of its keys."""
        keys = self._keys.get(owner, [])
        low, high = window_keys(start, end)
        at = bisect_left(keys, low)
        if after is not None:
            cursor = self._owner_key.get((owner, after))
            if cursor is None:
                return None
            at = max(at, bisect_right(keys, cursor))
        out: list[JSONObject] = []
        rows = self._rows
        while at < len(keys) and len(out) < limit and keys[at] < high:
            raw = rows.get(keys[at])
            if raw is not None:
                out.append(load(raw))
            at += 1
        return out
