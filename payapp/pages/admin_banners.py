"""The admin list's banners: payments reconciliation has not settled in time, 거래 대사's
unexplained rows, and the note shown while the list is narrowed to those payments."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from payapp.state.admin import AdminListState
from payapp.state.admin_view import list_url

ATTENTION_URL = list_url({"attention": "1"})


def stuck_banner() -> rx.Component:
    """Payments reconciliation has not settled within the alert threshold: a link to just those."""
    s = AdminListState
    return rx.cond(
        s.stuck_count > 0,
        rx.callout(
            rx.hstack(
                rx.text("확인이 필요한 결제 ", s.stuck_count, "건", weight="bold"),
                rx.text(
                    "토스페이먼츠에서 결과를 확인하지 못한 채 오래 남은 결제입니다. 자동 확인은 계속됩니다.", size="2"
                ),
                rx.link("목록 보기", href=ATTENTION_URL, data_testid="stuck-link"),
                spacing="3",
                wrap="wrap",
                align="center",
            ),
            icon="triangle_alert",
            color_scheme="amber",
            role="alert",
            margin_bottom="0.8em",
            data_testid="stuck-banner",
        ),
    )


def drift_line(item: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.cond(item["href"] == "", rx.text(item["orderId"]), rx.link(item["orderId"], href=item["href"].to(str))),
            white_space="nowrap",
        ),
        rx.table.cell(rx.code(item["kind"])),
        rx.table.cell(item["foundAt"], white_space="nowrap"),
        data_testid="drift-row",
    )


def drift_banner() -> rx.Component:
    """Toss transactions 거래 대사 could not explain (the newest, unresolved)."""
    s = AdminListState
    return rx.cond(
        s.drift_count > 0,
        rx.callout(
            rx.vstack(
                rx.text("거래 대사 불일치 ", s.drift_count, "건", weight="bold"),
                rx.text("토스페이먼츠 거래 내역과 맞지 않는 결제입니다. 확인 후 처리해주세요.", size="2"),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(*[rx.table.column_header_cell(c) for c in ("주문번호", "종류", "발견 시각")])
                        ),
                        rx.table.body(rx.foreach(s.drift, drift_line)),
                        variant="ghost",
                        size="1",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            icon="info",
            color_scheme="red",
            margin_bottom="0.8em",
            data_testid="drift-banner",
        ),
    )


def attention_filter_note() -> rx.Component:
    """Shown while the list is narrowed to the payments that need attention (?attention=1)."""
    return rx.cond(
        AdminListState.attention,
        rx.hstack(
            rx.badge("확인이 필요한 결제만 표시 중", color_scheme="amber", size="2"),
            rx.button("전체 보기", type="button", size="1", variant="soft", on_click=AdminListState.clear_attention),
            align="center",
            margin_top="0.8em",
            data_testid="attention-filter",
        ),
    )
