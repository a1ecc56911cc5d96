"""/ : the product grid and the pay step. 결제하기 prepares the order on the server, then either
opens the Toss window for the method picked in our own picker (window mode, API 개별 연동 키) or
draws Toss's 결제위젯 for that order (widget mode, 결제위젯 연동 키; TOSS_INTEGRATION)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from payapp.components.layout import BRAND, layout
from payapp.components.toss_payment_widget import toss_payment_widget
from payapp.components.toss_payment_window import toss_payment_window
from payapp.state.shop import PAY_METHODS, ShopState

TITLE = BRAND
QUANTITIES = [str(n) for n in range(1, 11)]


def product_card(product: ObjectVar[dict[str, Any]]) -> rx.Component:
    pid = product["id"].to(int)
    return rx.card(
        rx.vstack(
            rx.image(
                src=product["image"].to(str),
                alt=product["name"].to(str),
                width="100%",
                height="180px",
                object_fit="cover",
                border_radius="8px",
            ),
            rx.heading(product["name"].to(str), size="4", as_="h2"),
            rx.text(product["description"].to(str), size="2", color_scheme="gray"),
            rx.text(product["price_label"].to(str), size="5", weight="bold", class_name="price"),
            rx.hstack(
                # Controlled by the state, so the quantity shown is the one charged (also after
                # the sign-in round trip, which keeps the state but remounts the page).
                rx.select(
                    QUANTITIES,
                    # On the class a state var is a Var (ObjectVar.get); mypy sees the dict.
                    value=ShopState.quantities.get(product["id"].to(str), 1).to_string(),  # type: ignore[call-overload]
                    size="2",
                    custom_attrs={"aria-label": "수량"},  # on the trigger; aria_label is lost on the root
                    on_change=lambda value: ShopState.set_quantity(pid, value),
                ),
                rx.button(
                    "결제하기", size="3", flex="1", loading=ShopState.preparing == pid, on_click=ShopState.pay(pid)
                ),
                width="100%",
                align="center",
            ),
            spacing="2",
            align="stretch",
        ),
        id=f"product-{product['id'].to(str)}",
        data_testid="product",
        style=rx.cond(ShopState.focus_product == product["id"].to(str), {"outline": "2px solid var(--accent-9)"}, {}),
    )


def method_picker() -> rx.Component:
    """Our own method selection (API 개별 연동): the chosen method opens Toss's window for it."""
    return rx.card(
        rx.vstack(
            rx.text("결제수단", weight="bold", size="3", id="pay-method-label"),
            rx.radio_group(
                PAY_METHODS,
                value=ShopState.pay_method,
                on_change=ShopState.set_pay_method,
                direction="row",
                spacing="4",
                size="2",
                # On a phone the methods wrap as whole labels, never a word per line.
                style={"& .rt-Flex": {"flex_wrap": "wrap", "row_gap": "0.6em"}, "& label": {"white_space": "nowrap"}},
                custom_attrs={"aria-labelledby": "pay-method-label"},
            ),
            spacing="2",
        ),
        width="100%",
        margin_bottom="1.2em",
        data_testid="method-picker",
    )


def widget_checkout() -> rx.Component:
    """Widget mode's pay step: Toss's 결제위젯 for the prepared order, or a hint before one."""
    order = ShopState.widget_order
    return rx.card(
        rx.cond(
            ShopState.widget_product != 0,
            rx.vstack(
                rx.hstack(
                    rx.heading("결제", size="4", as_="h2"),
                    rx.spacer(),
                    rx.button(
                        "다른 상품 고르기",
                        variant="soft",
                        color_scheme="gray",
                        size="1",
                        on_click=ShopState.close_widget,
                    ),
                    width="100%",
                    align="center",
                ),
                rx.text(order["orderName"].to(str), size="2", color_scheme="gray", data_testid="widget-order"),
                toss_payment_widget(
                    client_key=ShopState.client_key,
                    order=order,
                    sdk_src=ShopState.sdk_src,
                    pay_label=ShopState.widget_pay_label,
                    on_error=ShopState.widget_failed,
                    width="100%",
                ),
                spacing="2",
                align="stretch",
                width="100%",
            ),
            rx.vstack(
                rx.text("결제수단", weight="bold", size="3"),
                rx.text(
                    "상품의 결제하기를 누르면 토스페이먼츠 결제위젯에서 결제수단을 고릅니다.",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
            ),
        ),
        # scroll_margin_top: scrolled to after 결제하기, it stays clear of the sticky header.
        id="widget-checkout",
        width="100%",
        margin_bottom="1.2em",
        scroll_margin_top="5em",
        data_testid="widget-checkout",
    )


def index_page() -> rx.Component:
    return layout(
        rx.heading(TITLE, size="7", margin_bottom="0.3em", as_="h1"),
        rx.text("원하는 상품을 골라 토스페이먼츠로 결제해 보세요.", color_scheme="gray", margin_bottom="1.2em"),
        rx.cond(ShopState.widget_mode, widget_checkout(), method_picker()),
        rx.grid(
            rx.foreach(ShopState.products, product_card),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="4",
            width="100%",
        ),
        toss_payment_window(
            client_key=ShopState.client_key,
            request=ShopState.payment_request,
            sdk_src=ShopState.sdk_src,
            on_error=ShopState.window_failed,
        ),
    )
