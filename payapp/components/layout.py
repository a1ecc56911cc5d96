"""The one layout every page shares: a navbar over a centred, phone-friendly column."""

from __future__ import annotations

import reflex as rx

from payapp import routes
from payapp.state.auth import AuthState

BRAND = "payapp 상점"


def _link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href, size="3", weight="medium", color_scheme="gray", high_contrast=True)


def navbar() -> rx.Component:
    # A real <nav> (Radix's Box ignores ``as_="nav"``), so assistive tech and tests find it by role.
    return rx.el.nav(
        rx.flex(
            rx.link(rx.text(BRAND, size="5", weight="bold"), href=routes.INDEX, underline="none", high_contrast=True),
            rx.spacer(),
            rx.flex(
                _link("상품", routes.INDEX),
                rx.cond(AuthState.signed_in, _link("주문내역", routes.ORDERS)),
                rx.cond(AuthState.is_admin, _link("관리자", routes.ADMIN_PAYMENTS)),
                rx.cond(
                    AuthState.signed_in,
                    rx.flex(
                        rx.text(
                            AuthState.viewer["email"], size="2", color_scheme="gray", display=["none", "none", "block"]
                        ),
                        rx.button("로그아웃", size="2", variant="soft", on_click=AuthState.logout),
                        spacing="3",
                        align="center",
                    ),
                    rx.flex(
                        _link("로그인", routes.LOGIN),
                        rx.link(rx.button("회원가입", size="2"), href=routes.SIGNUP),
                        spacing="3",
                        align="center",
                    ),
                ),
                spacing="4",
                align="center",
                wrap="wrap",
                justify="end",
            ),
            align="center",
            spacing="3",
            wrap="wrap",
            max_width="1100px",
            margin_x="auto",
            width="100%",
        ),
        aria_label="주 메뉴",
        padding_x="1em",
        padding_y="0.8em",
        border_bottom="1px solid var(--gray-a5)",
        background_color="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
    )


def layout(*children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        rx.box(*children, max_width="1100px", margin_x="auto", padding_x="1em", padding_y="1.5em", width="100%"),
        rx.box(
            rx.text(
                "테스트 결제 데모 · 실제로 돈이 빠져나가지 않습니다 (토스페이먼츠 테스트 키/샌드박스)",
                size="1",
                color_scheme="gray",
                align="center",
            ),
            padding="2em 1em",
        ),
        min_height="100vh",
        background_color="var(--gray-2)",
    )
