"""The product list and the purchase: prepare on the server, then open the payment window
(our method picker, API 개별 연동) or draw Toss's 결제위젯 for the prepared order (widget mode)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import reflex as rx

from payapp import routes
from payapp.formatting import won
from payapp.services import catalog
from payapp.services.errors import ServiceError
from payapp.services.inputs import PrepareIn
from payapp.services.rows import saved_id
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
# What the 결제위젯 adds (Toss SDK v2 codes).
WIDGET_ERRORS = {
    "NEED_AGREEMENT_WITH_REQUIRED_TERMS": "필수 약관에 동의해주세요.",
    "NOT_SELECTED_PAYMENT_METHOD": "결제수단을 선택해주세요.",
    "NOT_SUPPORTED_API_INDIVIDUAL_KEY": "결제위젯 연동 키가 아닙니다. 상점 설정을 확인해주세요.",
}
# Our own method picker (API 개별 연동): the v1 SDK's requestPayment method names, in the order shown.
PAY_METHODS = ["카드", "토스페이", "계좌이체", "가상계좌", "휴대폰"]
VA_VALID_HOURS = 72  # how long an issued 가상계좌 waits for the deposit


def toss_customer_key(user_id: int) -> str:
    """The widget's customerKey for a buyer: stable, and not guessable from the user's id or
    e-mail (Toss asks for a random-looking key), without a column of its own."""
    digest = hmac.new(get_settings().jwt_key().encode(), f"toss-customer:{user_id}".encode(), hashlib.sha256)
    return "cus_" + digest.hexdigest()[:40]


class ShopState(rx.State):
    products: list[dict[str, Any]] = []
    quantities: dict[str, int] = {}
    focus_product: str = ""
    # The payment request the window component acts on; never holds anything secret.
    payment_request: dict[str, Any] = {}
    preparing: int = 0
    pay_method: str = PAY_METHODS[0]
    # Widget mode: the prepared order the 결제위젯 is drawn for (its amount is the server's).
    widget_order: dict[str, Any] = {}
    widget_product: int = 0

    @rx.var
    def client_key(self) -> str:
        return get_settings().client_key

    @rx.var
    def widget_mode(self) -> bool:
        return get_settings().widget_mode

    @rx.var
    def widget_pay_label(self) -> str:
        amount = self.widget_order.get("amount")
        return f"{won(int(amount))} 결제하기" if amount else "결제하기"

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
            cart = PrepareIn.parse({"items": [{"productId": product_id, "quantity": quantity}]})
            order = await payment_service().prepare(user, cart)
        except ServiceError as err:
            return rx.toast.error(err.message)
        finally:
            self.preparing = 0
        origin = self.router.url.origin
        customer = {"customerEmail": user.email, "customerName": user.email.split("@")[0]}
        # The pages' own URLs: the prod server answers /success with a 307 to /success/, a
        # round trip the buyer would wait for on the way to the receipt.
        landing = {"successUrl": f"{origin}{routes.SUCCESS}/", "failUrl": f"{origin}{routes.FAIL}/"}
        if get_settings().widget_mode:
            # Toss's 결제위젯 picks the method; the amount is the prepared order's, never the page's.
            self.widget_product = product_id
            self.widget_order = {
                "orderId": order.orderId,
                "orderName": order.orderName,
                "amount": order.amount,
                "customerKey": toss_customer_key(saved_id(user)),
                **customer,
                **landing,
            }
            return rx.scroll_to("widget-checkout")
        extra: dict[str, Any] = {"validHours": VA_VALID_HOURS} if self.pay_method == "가상계좌" else {}
        self.payment_request = {
            **extra,
            "method": self.pay_method,
            "amount": order.amount,
            "orderId": order.orderId,
            "orderName": order.orderName,
            **customer,
            **landing,
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
    def widget_failed(self, error: dict[str, Any]):
        """The widget or its window refused; the widget stays drawn for another try."""
        code = str(error.get("code", ""))
        text = (
            WINDOW_ERRORS.get(code)
            or WIDGET_ERRORS.get(code)
            or "결제를 진행하지 못했습니다. 잠시 후 다시 시도해주세요."
        )
        return rx.toast.error(f"{text} ({code})" if code else text)

    @rx.event
    def close_widget(self):
        self.widget_order = {}
        self.widget_product = 0

    @rx.event
    def forget_request(self):
        self.payment_request = {}
        self.widget_order = {}
        self.widget_product = 0
