"""The product list and the purchase: prepare on the server, then open the payment window."""

from __future__ import annotations

from typing import Any

import reflex as rx

from payapp import routes
from payapp.formatting import won
from payapp.services import catalog
from payapp.services.errors import ServiceError
from payapp.services.wiring import payment_service
from payapp.settings import get_settings
from payapp.state.auth import AuthState

# What a buyer sees when the payment window rejects (Toss SDK codes).
WINDOW_ERRORS = {
    "USER_CANCEL": "결제를 취소했습니다.",
    "PAYMENT_REQUEST_ABORTED": "결제가 중단되었습니다.",
    "INVALID_PARAMETER": "결제 정보가 올바르지 않습니다.",
    "INVALID_CARD_COMPANY": "사용할 수 없는 카드사입니다.",
    "NOT_SUPPORTED_METHOD": "지원하지 않는 결제수단입니다.",
}
# Our own method picker (API 개별 연동): the v1 SDK's requestPayment method names, in the order shown.
PAY_METHODS = ["카드", "토스페이", "계좌이체", "가상계좌", "휴대폰"]
VA_VALID_HOURS = 72  # how long an issued 가상계좌 waits for the deposit


class ShopState(rx.State):
    products: list[dict[str, Any]] = []
    quantities: dict[str, int] = {}
    focus_product: str = ""
    # The payment request the window component acts on; never holds anything secret.
    payment_request: dict[str, Any] = {}
    preparing: int = 0
    pay_method: str = PAY_METHODS[0]

    @rx.var
    def client_key(self) -> str:
        return get_settings().client_key

    @rx.var
    def sdk_src(self) -> str:
        return get_settings().sdk_src

    @rx.event
    async def load(self):
        rows = await catalog.products()
        self.products = [{**p.model_dump(), "price_label": won(p.price)} for p in rows]
        self.focus_product = self.router.url.query_parameters.get("product", "")

    @rx.event
    def set_quantity(self, product_id: int, value: str):
        try:
            quantity = int(value)
        except ValueError:
            return
        self.quantities[str(product_id)] = min(max(quantity, 1), 99)

    @rx.event
    def set_pay_method(self, method: str):
        if method in PAY_METHODS:
            self.pay_method = method

    @rx.event
    async def pay(self, product_id: int):
        auth = await self.get_state(AuthState)
        user = await auth.current_user()
        if user is None:
            return rx.redirect(f"{routes.LOGIN}?next=/%3Fproduct%3D{product_id}")
        quantity = self.quantities.get(str(product_id), 1)
        self.preparing = product_id
        try:
            order = await payment_service().prepare(user, [{"productId": product_id, "quantity": quantity}])
        except ServiceError as err:
            return rx.toast.error(err.message)
        finally:
            self.preparing = 0
        origin = self.router.url.origin
        extra: dict[str, Any] = {"validHours": VA_VALID_HOURS} if self.pay_method == "가상계좌" else {}
        self.payment_request = {
            **extra, "method": self.pay_method, "amount": order.amount, "orderId": order.orderId, "orderName": order.orderName,
            "customerEmail": user.email, "customerName": user.email.split("@")[0],
            "successUrl": origin + routes.SUCCESS, "failUrl": origin + routes.FAIL,
        }

    @rx.event
    def window_failed(self, error: dict[str, Any]):
        self.payment_request = {}
        code = str(error.get("code", ""))
        text = WINDOW_ERRORS.get(code)
        if text is None:
            text = "결제창을 열지 못했습니다. 잠시 후 다시 시도해주세요."
        return rx.toast.error(f"{text} ({code})" if code else text)

    @rx.event
    def forget_request(self):
        self.payment_request = {}
