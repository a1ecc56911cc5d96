"""/success (server-side confirm and the receipt), /fail, and the buyer's order list."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex.event import EventSpec

from payapp import routes
from payapp.formatting import bank_name, kst_text, status_color, status_label, won
from payapp.models import PaymentStatus
from payapp.schemas import PaymentView
from payapp.services.errors import ServiceError
from payapp.services.inputs import ConfirmIn
from payapp.services.wiring import payment_service
from payapp.state.auth import AuthState
from payapp.state.shop import ShopState
from payapp.state.watch import any_unsettled, new_watch_id, watch_rounds

# A pending confirm is polled for as long as Toss could still settle it (its 10-minute
# confirm window, and a little more), every 2 s at first, then less often.
POLL_FIRST_SECONDS, POLL_MAX_SECONDS = 2.0, 15.0
POLL_FOR_SECONDS = 11 * 60
log = logging.getLogger(__name__)


def receipt_of(view: PaymentView) -> dict[str, str]:
    items = ", ".join(f"{i['name']} × {i['quantity']}" for i in view.items) or view.orderName
    return {**_receipt(view, items), **virtual_account_receipt(view)}


def virtual_account_receipt(view: PaymentView) -> dict[str, str]:
    """A 가상계좌's bank, account and due date (KST); "입금 기한 만료" once Toss says it expired."""
    va = view.virtualAccount
    if not va:
        return {"va": ""}
    waiting = view.status == PaymentStatus.WAITING_FOR_DEPOSIT
    expired = waiting and bool(va.get("expired"))
    out = {
        "va": "1",
        "vaBank": bank_name(va.get("bankCode")),
        "vaAccount": str(va.get("accountNumber") or "-"),
        "vaDue": f"{kst_text(va.get('dueDate'))} (KST)" if va.get("dueDate") else "-",
        "vaState": "expired" if expired else "waiting" if waiting else "",
    }
    if expired:
        out.update(statusLabel="입금 기한 만료", statusColor="gray")
    return out


def _receipt(view: PaymentView, items: str) -> dict[str, str]:
    return {
        "orderId": view.orderId,
        "orderName": view.orderName,
        "items": items,
        "amount": won(view.amount),
        "balance": won(view.balanceAmount),
        "method": view.method or "-",
        "approvedAt": f"{kst_text(view.approvedAt)} (KST)" if view.approvedAt else "-",
        "status": view.status,
        "statusLabel": status_label(view.status),
        "statusColor": status_color(view.status),
        "checkedAt": kst_text(view.checkedAt),  # when Toss last answered about it; "" before it ever did
    }


def fail_url(code: str, message: str, order_id: str | None) -> str:
    query = {"code": code, "message": message}
    if order_id:
        query["orderId"] = order_id
    return f"{routes.FAIL}?{urlencode(query)}"


# Errors that say nothing about the buyer's payment: /success keeps checking instead of /fail.
# Our Toss keys refused (the payment stays IN_PROGRESS until reconciliation confirms it), or
# another job holding the order right now.
CHECKING_CODES = {"TOSS_CONFIGURATION_ERROR": "checking", "PAYMENT_BUSY": "unknown"}


class ReceiptState(rx.State):
    # confirming | pending (receipt, 승인 확인 중) | checking (our Toss keys refused: 결제 확인 중)
    # | unknown (our own error: still checking) | done | signin
    phase: str = "confirming"
    receipt: dict[str, str] = {}
    order_id: str = ""
    _run: str = ""  # the latest confirm of this page: a refresh starts another, the older one stops

    @rx.event(background=True)
    async def confirm(self):
        """on_load of /success: confirm at the server (never in the browser), then poll until settled.

        Nothing but Toss's own refusal sends the buyer to /fail: our keys refused, our database
        or Redis failing, keep the page checking — first by confirming again (as a refresh would:
        an order confirms at most once), then by settling the payment it became.
        """
        async with self:
            query = dict(self.router.url.query_parameters)
            self.phase, self.receipt, self.order_id = "confirming", {}, query.get("orderId", "")
            self._run = run = new_watch_id()
            shop = await self.get_state(ShopState)
            shop.payment_request = {}  # the window has done its job; never reopen it
            shop.widget_order, shop.widget_product = {}, 0  # nor draw the widget for a paid order
            user = await (await self.get_state(AuthState)).current_user()
        if user is None:
            async with self:
                self.phase = "signin"  # the page guard sends the buyer to /login and back here
            return None
        order_id = query.get("orderId")
        redirect = {"paymentKey": query.get("paymentKey"), "orderId": order_id, "amount": query.get("amount")}
        view: PaymentView | None = None
        waiting = ""  # why no settled answer yet: "checking" (our keys) sticks until it settles
        loop = asyncio.get_running_loop()
        until, pause = loop.time() + POLL_FOR_SECONDS, POLL_FIRST_SECONDS
        while True:
            try:
                if view is None:
                    view = (await payment_service().confirm(user, ConfirmIn.parse(redirect))).payment
                else:
                    view = await payment_service().settle(view.orderId)
            except ServiceError as err:
                if view is None and err.code not in CHECKING_CODES:
                    return rx.redirect(fail_url(err.code, err.message, order_id))
                waiting = "checking" if "checking" in (waiting, CHECKING_CODES.get(err.code)) else "unknown"
                log.warning("confirm of %s: %s", order_id, err)
            except Exception:  # keep polling: the next round may reach the database or Redis
                log.exception("confirm of %s failed unexpectedly", order_id)
                waiting = waiting or "unknown"
            settled = view is not None and view.status != PaymentStatus.IN_PROGRESS
            async with self:
                if self._run != run:
                    return None
                if view is not None:
                    self.receipt = receipt_of(view)
                self.phase = (
                    "done"
                    if settled
                    else ("checking" if waiting == "checking" else "pending" if view is not None else waiting)
                )
            if settled or loop.time() >= until:
                break
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, POLL_MAX_SECONDS)
        if view is not None and view.status in (PaymentStatus.ABORTED, PaymentStatus.EXPIRED):
            return rx.redirect(
                fail_url(
                    view.failureCode or "PAYMENT_FAILED", view.failureMessage or "결제에 실패했습니다.", view.orderId
                )
            )
        return None


class FailState(rx.State):
    @rx.var
    def code(self) -> str:
        return self.router.url.query_parameters.get("code", "UNKNOWN_ERROR")

    @rx.var
    def message(self) -> str:
        return self.router.url.query_parameters.get("message", "결제를 완료하지 못했습니다.")

    @rx.var
    def order_id(self) -> str:
        return self.router.url.query_parameters.get("orderId", "")


class OrdersState(rx.State):
    orders: list[dict[str, Any]] = []
    loaded: bool = False
    _watch_id: str = ""  # the background re-read this page runs ("" = none)

    @rx.event
    async def load(self):
        user = await (await self.get_state(AuthState)).current_user()
        if user is None:
            self.orders, self.loaded = [], False
            return None
        self.orders = [receipt_of(v) for v in await payment_service().list_for_user(user)]
        self.loaded = True
        return self._start_watching()

    @rx.event
    def start_watching(self) -> EventSpec | None:
        """on_mount: the buyer came back to the page (its on_load may have run before)."""
        return self._start_watching()

    def _start_watching(self) -> EventSpec | None:
        """While an order is unsettled, re-read the list in the background."""
        if not any_unsettled(self.orders):
            self._watch_id = ""
            return None
        self._watch_id = new_watch_id()
        # A background handler bound to its argument: mypy cannot follow @rx.event's overloads.
        return OrdersState.watch(self._watch_id)  # type: ignore[misc]

    @rx.event
    def stop_watching(self):
        """on_unmount: the buyer left the page."""
        self._watch_id = ""

    @rx.event(background=True)
    async def watch(self, watch_id: str):
        """Re-read the buyer's orders (read only: the reconciler settles them) until none is unsettled."""
        async for _ in watch_rounds(self, watch_id):
            async with self:
                user = await (await self.get_state(AuthState)).current_user()
            if user is None:
                return
            try:
                views = await payment_service().list_for_user(user)
            except Exception as err:  # the database may answer next round
                log.warning("re-reading orders: %s", err)
                continue
            async with self:
                if self._watch_id != watch_id:
                    return
                self.orders = [receipt_of(v) for v in views]
                if not any_unsettled(self.orders):
                    self._watch_id = ""
                    return
