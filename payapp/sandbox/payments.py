"""The sandbox's payment ledger: the Toss Payment object and its state machine.

A record is ``{"payment": <Toss Payment object>, "internal": {...}}``; only ``payment``
is ever sent over the wire. How a Payment object is built is ``payment_object``'s; which
status may follow which is ``status``'s.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable

from . import options as request_options
from . import transactions
from . import virtual_accounts as va
from .config import KeyPair, SandboxConfig
from .errors import SandboxError, message
from .methods import METHODS
from .methods import approve as approve_method
from .payment_object import (  # noqa: F401 (re-exported: the control API, webhooks and billing use them)
    API_VERSION,
    KST,
    ORDER_ID_RE,
    _iso_second,
    iso,
    new_payment,
    new_payment_key,
    parse_amount,
    validate_window_request,
    vat_of,
    with_query,
)
from .status import APPROVED, move


class Ledger:
    """Operations on sandbox payments; every mutation runs under the payment's lock.

    ``on_change(payment, now)``, when given, is called after each stored status change
    (the sandbox's webhooks); it must not block.
    """

    def __init__(self, store, config: SandboxConfig, on_change: Callable[[dict, float], None] | None = None):
        self.store = store
        self.config = config
        self.on_change = on_change

    async def _save(self, record: dict, now: float, changed: bool = True, transaction: dict | None = None) -> None:
        """Store the record (with the ``transaction`` row that changed it, at ``now``); tell
        ``on_change`` when its status moved."""
        await self.store.put_payment(record, None if transaction is None else (now, transaction))
        if changed and self.on_change is not None:
            self.on_change(record["payment"], now)

    async def now(self) -> float:
        return time.time() + await self.store.clock_offset()

    # ---- reading -----------------------------------------------------------------
    def _due(self, record: dict, now: float) -> bool:
        """Whether a READY window (30 min) or an IN_PROGRESS session (10 min) has run out, or a
        waiting 가상계좌 passed its due date."""
        p, internal = record["payment"], record["internal"]
        status = p["status"]
        if status == "READY":
            return now >= internal["createdAt"] + self.config.window_ttl
        if status == "IN_PROGRESS":
            return now >= internal["authenticatedAt"] + self.config.confirm_ttl
        if status == "WAITING_FOR_DEPOSIT":
            return not p["virtualAccount"]["expired"] and now >= internal.get("dueAt", math.inf)
        return False

    def _expire_if_due(self, record: dict, now: float) -> bool:
        """Expire a READY/IN_PROGRESS payment whose time is up; True if it did (a status change)."""
        p = record["payment"]
        if p["status"] not in ("READY", "IN_PROGRESS") or not self._due(record, now):
            return False
        move(p, "EXPIRED")
        # A real EXPIRED payment reads method null (toss-api.md §2.2, §3: null "before a
        # method is chosen, e.g. EXPIRED"); nothing was paid with one.
        p["method"] = None
        p["failure"] = {"code": "EXPIRED_PAYMENT", "message": message("EXPIRED_PAYMENT")}
        return True

    async def _refresh_locked(self, record: dict, now: float) -> bool:
        """Apply what time did to the record (expiry, a 가상계좌's due date) and store it."""
        if self._expire_if_due(record, now):
            await self._save(record, now)
            return True
        if va.refresh_expired(record, now):  # no status change, no webhook (Toss sends none)
            await self._save(record, now, changed=False)
            return True
        return False

    async def _visible(self, payment_key: str, pair: KeyPair) -> dict:
        # A payment belongs to the key pair whose client key opened it: any other
        # pair's secret key finds nothing, as with two merchants at Toss; a key of the
        # other family (widget vs individual) or mode (test vs live) is a mixed set.
        record = await self.store.get_payment(payment_key)
        if record is None:
            raise SandboxError("NOT_FOUND_PAYMENT")
        if record["internal"]["clientKey"] != pair.client_key:
            owner = self.config.pair_by_client(record["internal"]["clientKey"])
            if owner is not None and not owner.same_family(pair):
                raise SandboxError("INVALID_API_KEY")
            raise SandboxError("NOT_FOUND_PAYMENT")
        return record

    async def _load_locked(self, payment_key: str, pair: KeyPair, now: float) -> dict:
        """Like :meth:`load`, for a caller that already holds the payment's lock."""
        record = await self._visible(payment_key, pair)
        await self._refresh_locked(record, now)
        return record

    async def load(self, payment_key: str, pair: KeyPair) -> dict:
        """The payment as ``pair`` may see it (other merchants' payments do not exist)."""
        record = await self._visible(payment_key, pair)
        if self._due(record, await self.now()):
            # Locks are not reentrant: expiring takes the lock only here, never inside
            # confirm/cancel, which hold it already and call _load_locked.
            async with self.store.lock(payment_key):
                record = await self._load_locked(payment_key, pair, await self.now())
        return record

    async def load_by_order(self, order_id: str, pair: KeyPair) -> dict:
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

    async def transactions(self, pair: KeyPair, start: float, end: float, after: str | None, limit: int) -> list[dict]:
        """The pair's transactions (approvals and cancels) whose transactionAt is in [start, end]."""
        rows = await self.store.transactions(pair.client_key, start, end, after, limit)
        if rows is None:  # a cursor that is none of this pair's transactionKeys
            raise SandboxError("INVALID_TRANSACTION_KEY")
        return rows

    async def order_is_paid(self, mid: str, order_id: str, other_than: str | None = None) -> bool:
        """Whether any payment of the order (``other_than`` aside) was approved."""
        keys = [k for k in await self.store.payment_keys_for_order(mid, order_id) if k != other_than]
        if not keys:
            return False
        return any(r is not None and r["payment"]["status"] in APPROVED for r in await self.store.get_payments(keys))

    # ---- the payment window ------------------------------------------------------
    async def open_window(self, pair: KeyPair, params: dict, widget: bool | None = None) -> dict:
        """The buyer opened the window: a READY payment bound to orderId and amount.

        ``widget``: opened through the SDK's ``widgets()`` (True) or ``payment()`` / v1 (False),
        which take keys of one family each; None (the headless buyer) takes either.
        """
        if widget is True and not pair.is_widget:
            raise SandboxError("NOT_SUPPORTED_API_INDIVIDUAL_KEY")
        if widget is False and pair.is_widget:
            raise SandboxError("NOT_SUPPORTED_WIDGET_KEY")
        method, amount, order_id, order_name = validate_window_request(params)
        method = METHODS[method]
        options = request_options.parse(params, method, amount)
        now = await self.now()
        if method == "가상계좌":
            va.check_due(options, now, self.config.va_max_hours)
        # orderIds are unique per merchant: once any payment of the order was approved, no
        # new window opens for it. A window that slips in beside a confirm is refused at its
        # own confirm, under the order's lock.
        if await self.order_is_paid(pair.mid, order_id):
            raise SandboxError("DUPLICATED_ORDER_ID")
        payment_key = new_payment_key(pair, now)
        payment = new_payment(
            pair, self.config.api_base_for_urls, payment_key, order_id, order_name, amount, method, now, options
        )
        move(payment, "READY")
        internal = {
            "createdAt": now,
            "authenticatedAt": None,
            "clientKey": pair.client_key,
            "successUrl": params.get("successUrl"),
            "failUrl": params.get("failUrl"),
            "customerName": params.get("customerName"),
            "customerEmail": params.get("customerEmail"),
        }
        if options:
            internal["options"] = options
        record = {"payment": payment, "internal": internal}
        await self.store.put_payment(record)
        return record

    async def window_outcome(self, payment_key: str, outcome: str, choices: dict | None = None) -> tuple[dict, dict]:
        """Apply the buyer's choice; returns the record and the redirect query parameters.

        Only 승인 changes the payment (IN_PROGRESS). A refusal in the window (카드 거절) or the
        buyer backing out sends the buyer to failUrl and leaves the payment READY, never
        approved, to expire: Toss reaches ABORTED only from a refused confirm (toss-api.md §13).
        """
        async with self.store.lock(payment_key):
            record = await self.store.get_payment(payment_key)
            if record is None:
                raise SandboxError("NOT_FOUND_PAYMENT")
            p, internal = record["payment"], record["internal"]
            now = await self.now()
            expired = self._expire_if_due(record, now)
            if expired or p["status"] != "READY" or internal.get("windowClosed"):
                await self._save(record, now, changed=expired)
                raise SandboxError("NOT_FOUND_PAYMENT_SESSION")
            if outcome == "approve":
                move(p, "IN_PROGRESS")
                internal["authenticatedAt"] = now
                if choices and choices.get("bank"):
                    internal["bank"] = choices["bank"]
                params = {
                    "paymentType": "NORMAL",
                    "orderId": p["orderId"],
                    "paymentKey": payment_key,
                    "amount": p["totalAmount"],
                }
            elif outcome in ("reject", "cancel"):
                internal["windowClosed"] = outcome
                code = (
                    ("REJECT_CARD_COMPANY" if p["method"] in ("카드", "간편결제") else "PAY_PROCESS_ABORTED")
                    if outcome == "reject"
                    else "PAY_PROCESS_CANCELED"
                )
                params = {"code": code, "message": message(code), "orderId": p["orderId"]}
            else:
                raise SandboxError(
                    "INVALID_REQUEST",
                    "outcome: approve | reject | cancel",
                    detail_en="outcome: approve | reject | cancel",
                )
            await self._save(record, now, changed=False)
            return record, params

    # ---- server API --------------------------------------------------------------
    async def confirm(
        self, pair: KeyPair, payment_key: str, order_id: str, amount: int, refusal: dict | None = None
    ) -> dict:
        """Approve an authenticated payment (a 가상계좌: issue its account).

        ``refusal`` (a sticky fault ``{errorCode, status?}``): Toss refuses this confirm for
        real: the payment becomes ABORTED with ``failure`` and the error is the answer.
        """
        # The order's lock, then the payment's: confirms of two payments of one order run one
        # after the other, so that only the first can be approved. Nothing else takes two
        # locks, and the order lock always comes first. A confirm whose orderId is not the
        # payment's holds another order's lock, but changes nothing.
        async with self.store.lock(f"order:{pair.mid}:{order_id}", payment_key):
            now = await self.now()  # one instant: the expiry check and the time written
            record = await self._load_locked(payment_key, pair, now)
            p = record["payment"]
            if p["status"] in ("DONE", "CANCELED", "PARTIAL_CANCELED", "ABORTED", "WAITING_FOR_DEPOSIT"):
                raise SandboxError("ALREADY_PROCESSED_PAYMENT")
            if p["status"] != "IN_PROGRESS":  # READY (never authenticated) or EXPIRED
                raise SandboxError("NOT_FOUND_PAYMENT_SESSION")
            # Toss binds orderId and amount to the authenticated session: different values
            # find no session. The payment is left as it was, so an honest retry still works.
            if p["orderId"] != order_id or p["totalAmount"] != amount:
                raise SandboxError(
                    "NOT_FOUND_PAYMENT_SESSION",
                    "orderId 또는 amount가 결제창 요청과 다릅니다",
                    detail_en="orderId or amount differs from the payment window request",
                )
            # Another payment of the order was approved first; this one stays IN_PROGRESS
            # and runs out like any session that is never confirmed.
            if await self.order_is_paid(pair.mid, order_id, other_than=payment_key):
                raise SandboxError("DUPLICATED_ORDER_ID")
            if refusal is not None:
                code = refusal["errorCode"]
                move(p, "ABORTED")
                p["failure"] = {"code": code, "message": message(code)}
                await self._save(record, now)
                raise SandboxError(code, status=refusal.get("status"))
            if p["method"] == "가상계좌":
                row = va.issue(
                    record, now, pair.is_test, self.config.va_valid_hours, _iso_second, self.config.receipt_base
                )
                await self._save(record, now, transaction=row)
                return record
            tx = secrets.token_hex(16).upper()
            move(p, "DONE")
            p.update(
                approvedAt=iso(now),
                lastTransactionKey=tx,
                receipt={"url": f"{self.config.receipt_base}/receipt/redirection?transactionId={payment_key}&ref=PX"},
            )
            # lastTransactionKey moves on with every cancel: the approval's own key stays here.
            record["internal"]["approvalTransactionKey"] = tx
            approve_method(record, pair.is_test)
            await self._save(record, now, transaction=transactions.approval(p))
            return record

    async def deposit(self, payment_key: str, amount: int | None) -> dict:
        """The buyer paid into a 가상계좌 (the sandbox's control API; any key pair's payment)."""
        async with self.store.lock(payment_key):
            record = await self.store.get_payment(payment_key)
            if record is None:
                raise SandboxError("NOT_FOUND_PAYMENT")
            now = await self.now()
            await self._refresh_locked(record, now)
            row = va.pay(record, amount, now, _iso_second)
            await self._save(record, now, transaction=row)
            return record

    async def cancel(
        self,
        pair: KeyPair,
        payment_key: str,
        reason: str,
        cancel_amount: int | None,
        refundable_amount: int | None,
        tax_free: int | None = None,
        refund_account: object = None,
    ) -> dict:
        async with self.store.lock(payment_key):
            now = await self.now()  # one instant: the expiry check and the time written
            record = await self._load_locked(payment_key, pair, now)
            p = record["payment"]
            if p["status"] == "CANCELED":
                raise SandboxError("ALREADY_CANCELED_PAYMENT")
            if p["status"] not in ("DONE", "PARTIAL_CANCELED", "WAITING_FOR_DEPOSIT"):
                raise SandboxError("NOT_CANCELABLE_PAYMENT")
            waiting = p["status"] == "WAITING_FOR_DEPOSIT"
            refund = va.check_cancel(p, cancel_amount, refund_account) if p["method"] == "가상계좌" else None
            balance = p["balanceAmount"]
            if refundable_amount is not None and refundable_amount != balance:
                raise SandboxError("NOT_MATCHES_REFUNDABLE_AMOUNT")
            amount = balance if cancel_amount is None else cancel_amount
            if amount <= 0 or amount > balance:
                raise SandboxError("NOT_CANCELABLE_AMOUNT")
            if amount < balance and not p["isPartialCancelable"]:
                raise SandboxError("NOT_ALLOWED_PARTIAL_REFUND")
            remaining = balance - amount
            # The tax-free part cancelled: as asked (default 0), all of what is left on a full cancel.
            free_cancelled = p["taxFreeAmount"] if remaining == 0 else (tax_free or 0)
            if free_cancelled > min(p["taxFreeAmount"], amount):
                raise SandboxError(
                    "INVALID_REQUEST",
                    "taxFreeAmount: 남은 면세 금액과 취소 금액 이하",
                    detail_en="taxFreeAmount: at most the tax-free balance and the cancel amount",
                )
            tax_free_left = min(p["taxFreeAmount"] - free_cancelled, remaining)
            tx = secrets.token_hex(16).upper()
            p["cancels"] = (p["cancels"] or []) + [
                {
                    "transactionKey": tx,
                    "cancelReason": reason,
                    "taxExemptionAmount": 0,
                    "canceledAt": iso(now),
                    "transferDiscountAmount": 0,
                    "easyPayDiscountAmount": 0,
                    "receiptKey": None,
                    "cancelAmount": amount,
                    "taxFreeAmount": free_cancelled,
                    "refundableAmount": remaining,
                    "cardDiscountAmount": 0,
                    "cancelStatus": "DONE",
                    "cancelRequestId": None,
                }
            ]
            vat = vat_of(remaining, tax_free_left)
            move(p, "CANCELED" if remaining == 0 else "PARTIAL_CANCELED")
            p.update(
                balanceAmount=remaining,
                vat=vat,
                suppliedAmount=remaining - tax_free_left - vat,
                taxFreeAmount=tax_free_left,
                lastTransactionKey=tx,
            )
            if p["card"] and remaining == 0:
                p["card"]["acquireStatus"] = "CANCELED"
            if p["method"] == "가상계좌":
                va.after_cancel(p, refund)
            row = transactions.cancellation(
                p, p["cancels"][-1], record["internal"].get("customerKey"), amount=0 if waiting else None
            )
            await self._save(record, now, transaction=row)
            return record

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
