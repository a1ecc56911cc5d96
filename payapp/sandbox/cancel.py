"""Cancelling a payment, in full or in part (a 가상계좌: before or after its deposit)."""

from __future__ import annotations

import secrets

from . import transactions
from . import virtual_accounts as va
from .config import KeyPair
from .errors import SandboxError
from .jsontypes import PaymentRecord
from .ledger_core import LedgerCore
from .payment_object import iso, vat_of
from .status import can_move, move


class Cancels(LedgerCore):
    async def cancel(
        self,
        pair: KeyPair,
        payment_key: str,
        reason: str,
        cancel_amount: int | None,
        refundable_amount: int | None,
        tax_free: int | None = None,
        refund_account: object = None,
    ) -> PaymentRecord:
        async with self.store.lock(payment_key):
            now = await self.now()  # one instant: the expiry check and the time written
            record = await self._load_locked(payment_key, pair, now)
            p = record["payment"]
            if p["status"] == "CANCELED":
                raise SandboxError("ALREADY_CANCELED_PAYMENT")
            if not can_move(p["status"], "CANCELED"):  # DONE, PARTIAL_CANCELED, WAITING_FOR_DEPOSIT
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
