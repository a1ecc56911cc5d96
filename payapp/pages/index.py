"""/ : the product grid. 결제하기 prepares the order on the server, then opens the Toss window."""

from __future__ import annotations

import reflex as rx

from payapp.components.layout import BRAND, layout
from payapp.components.toss_payment_window import toss_payment_window
from payapp.state.shop import PAY_METHODS, ShopState

TITLE = BRAND
QUANTITIES = [str(n) for n in range(1, 11)]


def product_card(product: rx.Var) -> rx.Component:
    pid = product["id"].to(int)
    return rx.card(
        rx.vstack(
            rx.image(src=product["image"].to(str), alt=product["name"].to(str), width="100%",
                     height="180px", object_fit="cover", border_radius="8px"),
            rx.heading(product["name"].to(str), size="4", as_="h2"),
            rx.text(product["description"].to(str), size="2", color_scheme="gray"),
            rx.text(product["price_label"].to(str), size="5", weight="bold", class_name="price"),
            rx.hstack(
                # Controlled by the state, so the quantity shown is the one charged (also after
                # the sign-in round trip, which keeps the state but remounts the page).
                rx.select(QUANTITIES, value=ShopState.quantities.get(product["id"].to(str), 1).to_string(),
                          size="2", custom_attrs={"aria-label": "수량"},  # on the trigger; aria_label is lost on the root
                          on_change=lambda value: ShopState.set_quantity(pid, value)),
                rx.button("결제하기", size="3", flex="1", loading=ShopState.preparing == pid,
                          on_click=ShopState.pay(pid)),
                width="100%", align="center",
            ),
            spacing="2", align="stretch",
        ),
        id=f"product-{product['id'].to(str)}",
        data_testid="product",
        style=rx.cond(ShopState.focus_product == product["id"].to(str),
                      {"outline": "2px solid var(--accent-9)"}, {}),
    )


def method_picker() -> rx.Component:
    """Our own method selection (API 개별 연동): the chosen method opens Toss's window for it."""
    return rx.card(
        rx.vstack(
            rx.text("결제수단", weight="bold", size="3", id="pay-method-label"),
            rx.radio_group(PAY_METHODS, value=ShopState.pay_method, on_change=ShopState.set_pay_method,
                           direction="row", spacing="4", size="2",
                           custom_attrs={"aria-labelledby": "pay-method-label"}),
            spacing="2",
        ),
        width="100%", margin_bottom="1.2em", data_testid="method-picker",
    )


def index_page() -> rx.Component:
    return layout(
        rx.heading(TITLE, size="7", margin_bottom="0.3em", as_="h1"),
        rx.text("원하는 상품을 골라 토스페이먼츠로 결제해 보세요.", color_scheme="gray", margin_bottom="1.2em"),
        method_picker(),
        rx.grid(
            rx.foreach(ShopState.products, product_card),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="4", width="100%",
        ),
        toss_payment_window(client_key=ShopState.client_key, request=ShopState.payment_request,
                            sdk_src=ShopState.sdk_src, on_error=ShopState.window_failed),
    )
