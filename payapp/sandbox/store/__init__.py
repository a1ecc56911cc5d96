"""Sandbox state: payments and their transactions, idempotency records, the request log, faults,
the clock and webhooks.

Two interchangeable stores: :class:`MemoryStore` (one process) and :class:`RedisStore`
(any number of worker processes sharing one Redis). Records are plain JSON-able dicts.
"""

from .base import Store, fault_matches
from .memory import MemoryStore
from .redis import RedisStore

__all__ = ["MemoryStore", "RedisStore", "Store", "fault_matches"]
