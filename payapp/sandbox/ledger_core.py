"""The ledger's core: storing a payment record, the sandbox clock, who may see a payment, and
what time does to it (a window or session running out, a 가상계좌 passing its due date).

The operations that change a payment build on it, one file each: ``checkout`` (the buyer's
window), ``confirm`` (approval and a 가상계좌's deposit), ``cancel``; ``payments.Ledger`` puts
them together.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

from . import virtual_accounts as va
from .config import KeyPair, SandboxConfig
from .errors import SandboxError, message
from .jsontypes import Internal, JSONObject, Payment, PaymentRecord
from .status import APPROVED, can_move, move
from .store import Store


class RecordStore(Store, Protocol):
    """The store as the ledger and billing use it: :class:`Store` plus the keyed records (billing
    windows, authKeys, billing keys) that both stores mix in."""

    async def get_record(self, kind: str, key: str) -> JSONObject | None: ...
    async def put_record(self, kind: str, key: str, value: JSONObject) -> None: ...
    async def take_record(self, kind: str, key: str) -> JSONObject | None: ...


class LedgerCore:
    """Reading and expiring sandbox payments; every mutation runs under the payment's lock.

    ``on_change(payment, now)``, when given, is called after each stored status change
    (the sandbox's webhooks); it must not block.
    """

    def __init__(
        self, store: RecordStore, config: SandboxConfig, on_change: Callable[[Payment, float], None] | None = None
    ) -> None:
        self.store = store
        self.config = config
        self.on_change = on_change

    async def _save(
        self, record: PaymentRecord, now: float, changed: bool = True, transaction: JSONObject | None = None
    ) -> None:
        """Store the record (with the ``transaction`` row that changed it, at ``now``); tell
        ``on_change`` when its status moved."""
        await self.store.put_payment(record, None if transaction is None else (now, transaction))
        if changed and self.on_change is not None:
            self.on_change(record["payment"], now)

    async def now(self) -> float:
        return time.time() + await self.store.clock_offset()

    # ---- reading -----------------------------------------------------------------
    def _due(self, record: PaymentRecord, now: float) -> bool:
        """Whether a READY window (30 min) or an IN_PROGRESS session (10 min) has run out, or a
        waiting 가상계좌 passed its due date."""
        p: Payment = record["payment"]
        internal: Internal = record["internal"]
        status = p["status"]
        if status == "READY":
            return now >= internal["createdAt"] + self.config.window_ttl
        if status == "IN_PROGRESS":
            authenticated = internal["authenticatedAt"]  # set when it became IN_PROGRESS
            return authenticated is not None and now >= authenticated + self.config.confirm_ttl
        if status == "WAITING_FOR_DEPOSIT":
            return not p["virtualAccount"]["expired"] and now >= internal.get("dueAt", math.inf)
        return False

    def _expire_if_due(self, record: PaymentRecord, now: float) -> bool:
        """Expire a READY/IN_PROGRESS payment whose time is up; True if it did (a status change)."""
        p = record["payment"]
        if not can_move(p["status"], "EXPIRED") or not self._due(record, now):  # READY, IN_PROGRESS
            return False
        move(p, "EXPIRED")
        # A real EXPIRED payment reads method null (toss-api.md §2.2, §3: null "before a
        # method is chosen, e.g. EXPIRED"); nothing was paid with one.
        p["method"] = None
        p["failure"] = {"code": "EXPIRED_PAYMENT", "message": message("EXPIRED_PAYMENT")}
        return True

    async def _refresh_locked(self, record: PaymentRecord, now: float) -> bool:
        """Apply what time did to the record (expiry, a 가상계좌's due date) and store it."""
        if self._expire_if_due(record, now):
            await self._save(record, now)
            return True
        if va.refresh_expired(record, now):  # no status change, no webhook (Toss sends none)
            await self._save(record, now, changed=False)
            return True
        return False

    async def _visible(self, payment_key: str, pair: KeyPair) -> PaymentRecord:
        return self._check_visible(await self.store.get_payment(payment_key), pair)

    def _check_visible(self, record: PaymentRecord | None, pair: KeyPair) -> PaymentRecord:
        # A payment belongs to the key pair whose client key opened it: any other
        # pair's secret key finds nothing, as with two merchants at Toss; a key of the
        # other family (widget vs individual) or mode (test vs live) is a mixed set.
        if record is None:
            raise SandboxError("NOT_FOUND_PAYMENT")
        if record["internal"]["clientKey"] != pair.client_key:
            owner = self.config.pair_by_client(record["internal"]["clientKey"])
            if owner is not None and not owner.same_family(pair):
                raise SandboxError("INVALID_API_KEY")
            raise SandboxError("NOT_FOUND_PAYMENT")
        return record

    async def _load_locked(self, payment_key: str, pair: KeyPair, now: float) -> PaymentRecord:
        """Like :meth:`load`, for a caller that already holds the payment's lock."""
        record = await self._visible(payment_key, pair)
        await self._refresh_locked(record, now)
        return record

    async def load(self, payment_key: str, pair: KeyPair) -> PaymentRecord:
        """The payment as ``pair`` may see it (other merchants' payments do not exist)."""
        record = await self._visible(payment_key, pair)
        if self._due(record, await self.now()):
            # Locks are not reentrant: expiring takes the lock only here, never inside
            # confirm/cancel, which hold it already and call _load_locked.
            async with self.store.lock(payment_key):
                record = await self._load_locked(payment_key, pair, await self.now())
        return record

    async def load_by_order(self, order_id: str, pair: KeyPair) -> PaymentRecord:
        """The order's approved payment if it has one, else its newest.

        One orderId may carry several payments (windows the buyer left, refusals, expiries);
        at most one of them was ever approved (or had its 가상계좌 issued), and that is the one
        the order is about.
        """
        found = None
        for key in reversed(await self.store.payment_keys_for_order(pair.mid, order_id)):
            try:
                record = await self.load(key, pair)
            except SandboxError:  # another pair of the same mId opened it
                continue
            if record["payment"]["status"] in APPROVED:
                return record
            found = found or record
        if found is None:
            raise SandboxError("NOT_FOUND_PAYMENT")
        return found

    async def transactions(
        self, pair: KeyPair, start: float, end: float, after: str | None, limit: int
    ) -> list[JSONObject]:
        """The pair's transactions (approvals and cancels) whose transactionAt is in [start, end]."""
        rows = await self.store.transactions(pair.client_key, start, end, after, limit)
        if rows is None:  # a cursor that is none of this pair's transactionKeys
            raise SandboxError("INVALID_TRANSACTION_KEY")
        return rows

    async def order_is_paid(
        self, mid: str, order_id: str, other_than: str | None = None, keys: list[str] | None = None
    ) -> bool:
        """Whether any payment of the order (``other_than`` aside) was approved; ``keys``: the
        order's payment keys when already read."""
        if keys is None:
            keys = await self.store.payment_keys_for_order(mid, order_id)
        keys = [k for k in keys if k != other_than]
        if not keys:
            return False
        return any(r is not None and r["payment"]["status"] in APPROVED for r in await self.store.get_payments(keys))

    async def expire_due(self) -> int:
        """Expire every READY/IN_PROGRESS payment whose time is up (the clock moved), and mark
        waiting 가상계좌 past their due date; returns how many payments expired."""
        count, started = 0, await self.now()
        for record in await self.store.list_payments():
            if self._due(record, started):
                key = record["payment"]["paymentKey"]
                async with self.store.lock(key):
                    fresh = await self.store.get_payment(key)
                    if fresh is not None and await self._refresh_locked(fresh, await self.now()):
                        count += fresh["payment"]["status"] == "EXPIRED"
        return count
