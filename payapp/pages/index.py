"""The shop's front page (a placeholder until the product list arrives)."""

import reflex as rx

TITLE = "payapp 상점"


def index_page() -> rx.Component:
    return rx.container(
        rx.vstack(
            rx.heading(TITLE, size="8"),
            rx.text("토스페이먼츠 카드 결제 데모 상점"),
            spacing="4",
        ),
        padding_y="2em",
    )
