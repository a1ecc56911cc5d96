"""One payment in the admin (/admin/payment?orderId=…): its fields, timeline, Toss's last answer
and last check, refunds (full, or partial after a confirmation) and Toss와 동기화."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from payapp.formatting import kst_text, status_color, status_label, won
from payapp.models import EventSource, PaymentStatus
from payapp.services import admin
from payapp.services.errors import ServiceError
from payapp.services.inputs import CancelIn
from payapp.services.payments import parse_amount
from payapp.services.wiring import payment_service
from payapp.state.admin_base import AdminState
from payapp.state.admin_view import row_of


class AdminPaymentState(AdminState):
    detail: dict[str, Any] = {}
    events: list[dict[str, str]] = []
    raw_json: str = ""
    balance: int = 0
    error: str = ""
    busy: bool = False
    partial_open: bool = False  # the 부분 환불 form
    full_open: bool = False  # the 전액 환불 alert dialog (its form)
    confirm_open: bool = False  # "정말 N원을 환불할까요?" after the 부분 환불 form
    pending_amount: int = 0  # the partial refund waiting for that confirmation
    pending_reason: str = ""
    _pending_order: str = ""  # ...and the payment it is for
    _pending_account: dict[str, str] = {}  # ...and, for a deposited 가상계좌, where it goes

    @rx.var
    def order_id(self) -> str:
        return self.router.url.query_parameters.get("orderId", "")

    @rx.var
    def pending_won(self) -> str:
        return won(self.pending_amount)

    @rx.var
    def refundable(self) -> bool:
        """전액 환불 is offered: paid, or a 가상계좌 still waiting for its deposit (cancelled whole)."""
        return self.detail.get("status") in (
            PaymentStatus.DONE,
            PaymentStatus.PARTIAL_CANCELED,
            PaymentStatus.WAITING_FOR_DEPOSIT,
        )

    @rx.var
    def partly_refundable(self) -> bool:
        return self.detail.get("status") in (PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED)

    @rx.var
    def needs_refund_account(self) -> bool:
        """A deposited 가상계좌 is refunded to an account the buyer gives (Toss's refundReceiveAccount)."""
        return self.detail.get("method") == "가상계좌" and self.partly_refundable

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _load(self) -> None:
        """Read the payment again (on_load, and after a refund or a sync)."""
        if await self._admin_user() is None:
            return
        self._forget_pending()
        self.partial_open = self.full_open = False
        try:
            d = await admin.payment_detail(self.order_id)
        except ServiceError as err:
            self.error, self.detail, self.events = err.message, {}, []
            return
        self.error = ""
        self.balance = d.balanceAmount
        items = ", ".join(f"{i['name']} × {i['quantity']}" for i in d.items) or d.orderName
        self.detail = {
            **row_of(d),
            "paymentKey": d.paymentKey or "-",
            "createdAt": kst_text(d.createdAt),
            "updatedAt": kst_text(d.updatedAt),
            "checkedAt": kst_text(d.checkedAt) or "-",
            "failure": f"{d.failureCode}: {d.failureMessage}" if d.failureCode else "-",
            "items": items,
            "balanceNumber": str(d.balanceAmount),
        }
        self.events = [
            {
                "at": kst_text(e.at),
                "from": status_label(e.fromStatus) if e.fromStatus else "—",
                "to": status_label(e.toStatus),
                "toColor": status_color(e.toStatus),
                "source": e.source,
                "detail": json.dumps(e.detail, ensure_ascii=False) if e.detail else "",
            }
            for e in d.events
        ]
        self.raw_json = json.dumps(d.raw, ensure_ascii=False, indent=2) if d.raw else "(아직 없음)"

    @rx.event
    def set_partial_open(self, value: bool):
        self.partial_open = value

    @rx.event
    def set_full_open(self, value: bool):
        self.full_open = value

    @rx.event
    def set_confirm_open(self, value: bool):
        """Closing the confirmation (취소, Escape) drops the pending partial refund."""
        if not value:
            self._forget_pending()

    def _forget_pending(self) -> None:
        self.confirm_open, self.pending_amount, self.pending_reason, self._pending_order = False, 0, "", ""
        self._pending_account = {}

    def _refund_account(self, form: dict) -> dict[str, str] | None:
        if not self.needs_refund_account:
            return None
        return {name: str(form.get(name, "")).strip() for name in ("bank", "accountNumber", "holderName")}

    @rx.event
    async def refund(self, form: dict):
        """전액 환불: its alert dialog was the confirmation; the service refunds what is left."""
        return await self._refund(None, form.get("reason", ""), self._refund_account(form))

    @rx.event
    def review_partial(self, form: dict):
        """The 부분 환불 form: check the amount against the balance shown, then ask to confirm it."""
        try:
            amount = parse_amount(form.get("amount"))
        except ServiceError as err:
            return rx.toast.error(f"{err.message} ({err.code})")
        reason = str(form.get("reason", "")).strip()
        if amount < 1:
            return rx.toast.error("환불 금액은 1원 이상입니다. (INVALID_REQUEST)")
        if amount > self.balance:  # the service checks again, against the payment as it is then
            return rx.toast.error(
                f"환불 금액이 남은 금액({won(self.balance)})을 초과합니다. (CANCEL_AMOUNT_EXCEEDS_BALANCE)"
            )
        if not reason:
            return rx.toast.error("환불 사유를 입력하세요. (INVALID_REQUEST)")
        self.pending_amount, self.pending_reason, self._pending_order = amount, reason, self.order_id
        self._pending_account = self._refund_account(form) or {}
        self.partial_open, self.confirm_open = False, True

    @rx.event
    async def confirm_partial(self):
        """환불하기 in the confirmation: send the partial refund that was reviewed, once."""
        amount, reason, order_id = self.pending_amount, self.pending_reason, self._pending_order
        account = self._pending_account or None
        if amount < 1 or order_id != self.order_id:  # a second click, or another payment's page
            self._forget_pending()
            return None
        try:
            return await self._refund(amount, reason, account)
        finally:
            self._forget_pending()

    async def _refund(self, amount: int | None, reason: str, account: dict[str, str] | None = None):
        """Refund ``amount`` (None: all that is left); the service re-checks role and balance."""
        self.busy = True
        try:
            user = await self._require_admin()
            refund = CancelIn.parse({"cancelReason": reason, "cancelAmount": amount, "refundReceiveAccount": account})
            view = await payment_service().cancel(user, self.order_id, refund)
        except ServiceError as err:
            return rx.toast.error(f"{err.message} ({err.code})")
        finally:
            self.busy = False
        await self._load()
        return rx.toast.success(f"환불했습니다. 남은 금액 {won(view.balanceAmount)}")

    @rx.event
    async def sync(self):
        self.busy = True
        try:
            await self._require_admin()
            view = await payment_service().settle(self.order_id, EventSource.ADMIN)
        except ServiceError as err:
            return rx.toast.error(f"{err.message} ({err.code})")
        finally:
            self.busy = False
        await self._load()
        return rx.toast.success(f"Toss와 동기화했습니다: {status_label(view.status)}")
