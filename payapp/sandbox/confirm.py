"""Approving a payment: the server's confirm (a 가상계좌: its account issued) and, for a
가상계좌, the buyer's deposit."""

from __future__ import annotations

import secrets

from . import transactions
from . import virtual_accounts as va
from .config import KeyPair
from .errors import SandboxError, message
from .jsontypes import PaymentRecord, Refusal
from .ledger_core import LedgerCore
from .methods import approve as approve_method
from .payment_object import iso
from .status import move


class Approvals(LedgerCore):
    async def confirm(
        self, pair: KeyPair, payment_key: str, order_id: str, amount: int, refusal: Refusal | None = None
    ) -> PaymentRecord:
        """Approve an authenticated payment (a 가상계좌: issue its account).

        ``refusal`` (a sticky fault ``{errorCode, status?}``): Toss refuses this confirm for
        real: the payment becomes ABORTED with ``failure`` and the error is the answer.
        """
        # The order's lock, then the payment's: confirms of two payments of one order run one
        # after the other, so that only the first can be approved. Nothing else takes two
        # locks, and the order lock always comes first. A confirm whose orderId is not the
        # payment's holds another order's lock, but changes nothing.
        order = (pair.mid, order_id)
        async with self.store.locked(payment_key, f"order:{pair.mid}:{order_id}", order=order) as held:
            now = held.now()  # one instant: the expiry check and the time written
            record = self._check_visible(held.record, pair)
            await self._refresh_locked(record, now)
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
            if await self.order_is_paid(pair.mid, order_id, other_than=payment_key, keys=held.order_keys):
                raise SandboxError("DUPLICATED_ORDER_ID")
            if refusal is not None:
                code = refusal["errorCode"]
                move(p, "ABORTED")
                p["failure"] = {"code": code, "message": message(code)}
                await self._save(record, now)
                raise SandboxError(code, status=refusal.get("status"))
            if p["method"] == "가상계좌":
                row = va.issue(record, now, pair.is_test, self.config.va_valid_hours, self.config.receipt_base)
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

    async def deposit(self, payment_key: str, amount: int | None) -> PaymentRecord:
        """The buyer paid into a 가상계좌 (the sandbox's control API; any key pair's payment)."""
        async with self.store.lock(payment_key):
            record = await self.store.get_payment(payment_key)
            if record is None:
                raise SandboxError("NOT_FOUND_PAYMENT")
            now = await self.now()
            await self._refresh_locked(record, now)
            row = va.pay(record, amount, now)
            await self._save(record, now, transaction=row)
            return record
