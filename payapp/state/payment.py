"""/success (server-side confirm and the receipt), /fail, and the buyer's order list."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from payapp import routes
from payapp.formatting import kst, status_color, status_label, won
from payapp.schemas import PaymentView
from payapp.services.errors import ServiceError
from payapp.services.wiring import payment_service
from payapp.state.auth import AuthState
from payapp.state.shop import ShopState

# A pending confirm is polled for as long as Toss could still settle it (its 10-minute
# confirm window, and a little more), every 2 s at first, then less often.
POLL_FIRST_SECONDS, POLL_MAX_SECONDS = 2.0, 15.0
POLL_FOR_SECONDS = 11 * 60
log = logging.getLogger(__name__)


def receipt_of(view: PaymentView) -> dict[str, str]:
    items = ", ".join(f"{i['name']} × {i['quantity']}" for i in view.items) or view.orderName
    return {
        "orderId": view.orderId, "orderName": view.orderName, "items": items, "amount": won(view.amount),
        "balance": won(view.balanceAmount), "method": view.method or "-", "approvedAt": f"{kst(view.approvedAt)} (KST)" if view.approvedAt else "-",
        "status": view.status, "statusLabel": status_label(view.status), "statusColor": status_color(view.status),
    }


def fail_url(code: str, message: str, order_id: str | None) -> str:
    query = {"code": code, "message": message}
    if order_id:
        query["orderId"] = order_id
    return f"{routes.FAIL}?{urlencode(query)}"


class ReceiptState(rx.State):
    phase: str = "confirming"  # confirming | pending | done | signin | unknown
    receipt: dict[str, str] = {}

    @rx.event(background=True)
    async def confirm(self):
        """on_load of /success: confirm at the server (never in the browser), then poll if pending."""
        async with self:
            query = dict(self.router.url.query_parameters)
            self.phase, self.receipt = "confirming", {}
            shop = await self.get_state(ShopState)
            shop.payment_request = {}  # the window has done its job; never reopen it
            user = await (await self.get_state(AuthState)).current_user()
        if user is None:
            async with self:
                self.phase = "signin"  # the page guard sends the buyer to /login and back here
            return
        order_id = query.get("orderId")
        try:
            result = await payment_service().confirm(user, query.get("paymentKey"), order_id, query.get("amount"))
        except ServiceError as err:
            return rx.redirect(fail_url(err.code, err.message, order_id))
        except Exception:
            # Our own failure (database, Redis): the payment may or may not have gone through,
            # so never "failed" — the page says so and points to the order list.
            log.exception("confirm of %s failed unexpectedly", order_id)
            async with self:
                self.phase = "unknown"
            return None
        view, pending = result.payment, result.pending
        async with self:
            self.receipt, self.phase = receipt_of(view), "pending" if pending else "done"
        loop = asyncio.get_running_loop()
        until, pause = loop.time() + POLL_FOR_SECONDS, POLL_FIRST_SECONDS
        while pending and loop.time() < until:
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, POLL_MAX_SECONDS)
            try:
                view = await payment_service().settle(view.orderId)
            except Exception as err:  # keep polling: the next round may reach Toss or the database
                log.warning("settling %s: %s", view.orderId, err)
                continue
            pending = view.status == "IN_PROGRESS"
            async with self:
                self.receipt, self.phase = receipt_of(view), "pending" if pending else "done"
        if view.status in ("ABORTED", "EXPIRED"):
            return rx.redirect(fail_url(view.failureCode or "PAYMENT_FAILED",
                                        view.failureMessage or "결제에 실패했습니다.", view.orderId))


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

    @rx.event
    async def load(self):
        user = await (await self.get_state(AuthState)).current_user()
        if user is None:
            self.orders, self.loaded = [], False
            return
        views = await payment_service().list_for_user(user)
        self.orders = [receipt_of(v) for v in views]
        self.loaded = True
