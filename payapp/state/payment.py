"""/success (server-side confirm and the receipt), /fail, and the buyer's order list."""

from __future__ import annotations

import asyncio
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

POLL_SECONDS = 2.0
POLL_ROUNDS = 45


def receipt_of(view: PaymentView) -> dict[str, str]:
    items = ", ".join(f"{i['name']} × {i['quantity']}" for i in view.items) or view.orderName
    return {
        "orderId": view.orderId, "orderName": view.orderName, "items": items, "amount": won(view.amount),
        "balance": won(view.balanceAmount), "method": view.method or "-", "approvedAt": kst(view.approvedAt),
        "status": view.status, "statusLabel": status_label(view.status), "statusColor": status_color(view.status),
    }


def fail_url(code: str, message: str, order_id: str | None) -> str:
    query = {"code": code, "message": message}
    if order_id:
        query["orderId"] = order_id
    return f"{routes.FAIL}?{urlencode(query)}"


class ReceiptState(rx.State):
    phase: str = "confirming"  # confirming | pending | done | signin
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
        view, pending = result.payment, result.pending
        async with self:
            self.receipt, self.phase = receipt_of(view), "pending" if pending else "done"
        rounds = 0
        while pending and rounds < POLL_ROUNDS:
            rounds += 1
            await asyncio.sleep(POLL_SECONDS)
            try:
                view = await payment_service().settle(view.orderId)
            except ServiceError:
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
