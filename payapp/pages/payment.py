"""/success (receipt), /fail and /orders."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from payapp import routes
from payapp.components.guards import require_login
from payapp.components.layout import layout
from payapp.state.payment import FailState, OrdersState, ReceiptState


def _row(label: str, value: rx.Var | str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label, min_width="88px"), rx.data_list.value(value))


def virtual_account_rows() -> rx.Component:
    """가상계좌: the bank, the account (hidden once expired: no longer payable) and the due date."""
    r = ReceiptState.receipt
    return rx.fragment(
        _row("입금 은행", r["vaBank"]),
        rx.cond(r["vaState"] != "expired", _row("계좌번호", rx.code(r["vaAccount"], data_testid="va-account"))),
        _row("입금 기한", r["vaDue"]),
    )


def receipt_card() -> rx.Component:
    r = ReceiptState.receipt
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(
                    rx.cond(
                        ReceiptState.phase == "done",
                        rx.match(
                            r["vaState"],
                            ("waiting", "가상계좌가 발급되었습니다"),
                            ("expired", "입금 기한이 지났습니다"),
                            "결제가 완료되었습니다",
                        ),
                        "승인 확인 중",
                    ),
                    size="6",
                    as_="h1",
                ),
                # receipt is dict[str, str]: its items are already string Vars.
                rx.badge(r["statusLabel"], color_scheme=r["statusColor"], size="2"),
                justify="between",
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                ReceiptState.phase == "pending",
                rx.callout(
                    "토스페이먼츠의 승인 결과를 확인하고 있습니다. 이 화면에서 잠시 기다려주세요.",
                    icon="loader",
                    color_scheme="blue",
                    width="100%",
                ),
            ),
            rx.match(
                r["vaState"],
                (
                    "waiting",
                    rx.callout(
                        rx.text("입금 기한까지 아래 계좌로 ", r["amount"], "을 입금하면 결제가 완료됩니다."),
                        icon="landmark",
                        color_scheme="blue",
                        width="100%",
                    ),
                ),
                (
                    "expired",
                    rx.callout(
                        "입금 기한이 지나 이 계좌로는 더 이상 입금할 수 없습니다. 다시 주문해주세요.",
                        icon="circle-alert",
                        color_scheme="red",
                        role="alert",
                        width="100%",
                    ),
                ),
                rx.fragment(),
            ),
            rx.data_list.root(
                _row("주문번호", r["orderId"]),
                _row("상품", r["items"]),
                _row("금액", r["amount"]),
                _row("결제수단", r["method"]),
                _row("승인시각", r["approvedAt"]),
                rx.cond(r["va"] == "1", virtual_account_rows()),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                data_testid="receipt",
            ),
            rx.hstack(
                rx.link(rx.button("주문내역 보기", variant="soft"), href=routes.ORDERS),
                rx.link(rx.button("쇼핑 계속하기"), href=routes.INDEX),
                spacing="3",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        max_width="560px",
    )


# Our side could not finish the confirm yet (our Toss keys refused, our database or Redis): the
# payment may well go through, so these pages never say "failed" and ask not to pay again.
CHECKING_TEXT = "결제 승인을 확인하고 있습니다. 다시 결제하지 마세요. 확인되는 대로 주문내역에 표시됩니다."
UNKNOWN_TEXT = (
    "결제 상태를 확인하고 있습니다. 일시적인 오류로 확인이 늦어지고 있지만 결제가 두 번 청구되지는 않습니다. "
    "다시 결제하지 마세요. 확인되는 대로 주문내역에 표시됩니다."
)


def checking_card(heading: str, text: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.spinner(size="2"), rx.heading(heading, size="6", as_="h1"), align="center", spacing="3"),
            rx.callout(text, icon="info", color_scheme="blue", role="status", width="100%"),
            rx.cond(
                ReceiptState.order_id != "",
                rx.text("주문번호 ", ReceiptState.order_id, size="2", color_scheme="gray", word_break="break-all"),
            ),
            rx.link(rx.button("주문내역 보기", variant="soft"), href=routes.ORDERS),
            spacing="4",
            width="100%",
        ),
        width="100%",
        max_width="560px",
        data_testid="checking-card",
    )


@require_login
def success_page() -> rx.Component:
    return layout(
        rx.center(
            rx.match(
                ReceiptState.phase,
                (
                    "confirming",
                    rx.vstack(
                        rx.spinner(size="3"),
                        rx.heading("결제 승인 중…", size="5", as_="h1"),
                        align="center",
                        padding="3em",
                    ),
                ),
                ("checking", checking_card("결제 확인 중", CHECKING_TEXT)),
                ("unknown", checking_card("결제 상태 확인 중", UNKNOWN_TEXT)),
                receipt_card(),
            ),
            padding_y="1em",
        )
    )


def fail_page() -> rx.Component:
    # The code and message come from the URL, which the state knows once the page has
    # hydrated: before that the pre-rendered page would show the fallbacks (UNKNOWN_ERROR).
    details = rx.cond(
        FailState.is_hydrated,
        rx.fragment(
            rx.callout(FailState.message, color_scheme="red", role="alert", width="100%"),
            rx.data_list.root(
                _row("오류 코드", rx.code(FailState.code, data_testid="fail-code")),
                rx.cond(FailState.order_id != "", _row("주문번호", FailState.order_id)),
            ),
        ),
        rx.spinner(size="2"),
    )
    return layout(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.heading("결제에 실패했습니다", size="6", as_="h1"),
                    details,
                    rx.link(rx.button("다시 결제하기", size="3"), href=routes.INDEX),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                max_width="560px",
            ),
            padding_y="1em",
        )
    )


def order_row(order: ObjectVar[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(order["orderId"], white_space="nowrap"),
        rx.table.cell(order["orderName"]),
        rx.table.cell(order["amount"], white_space="nowrap"),
        rx.table.cell(rx.badge(order["statusLabel"], color_scheme=order["statusColor"].to(str))),
        rx.table.cell(order["approvedAt"], white_space="nowrap"),
        rx.table.cell(order["checkedAt"], white_space="nowrap"),
        data_testid="order-row",
    )


def order_card(order: ObjectVar[dict[str, Any]]) -> rx.Component:
    """One order on a phone: the table's six columns would not fit 390 px."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(order["orderName"], weight="medium"),
                rx.badge(order["statusLabel"], color_scheme=order["statusColor"].to(str)),
                justify="between",
                align="start",
                width="100%",
            ),
            rx.text(order["amount"], size="4", weight="bold"),
            rx.text("주문번호 ", order["orderId"], size="1", color_scheme="gray", word_break="break-all"),
            rx.text("승인시각 ", order["approvedAt"], size="1", color_scheme="gray"),
            rx.cond(
                order["checkedAt"] != "", rx.text("마지막 확인 ", order["checkedAt"], size="1", color_scheme="gray")
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        data_testid="order-card",
    )


@require_login
def orders_page() -> rx.Component:
    return layout(
        # While an order is unsettled the list re-reads itself, as long as the buyer is here.
        rx.heading(
            "주문내역",
            size="6",
            as_="h1",
            margin_bottom="0.8em",
            on_mount=OrdersState.start_watching,
            on_unmount=OrdersState.stop_watching,
        ),
        rx.cond(
            OrdersState.orders,  # true when not empty (Reflex's isTrue)
            rx.fragment(
                rx.tablet_and_desktop(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in ("주문번호", "상품", "금액", "상태", "승인시각", "마지막 확인")
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(OrdersState.orders, order_row)),
                        variant="surface",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.mobile_only(
                    rx.vstack(rx.foreach(OrdersState.orders, order_card), spacing="3", width="100%"),
                    width="100%",
                ),
            ),
            rx.cond(OrdersState.loaded, rx.text("아직 주문이 없습니다.", color_scheme="gray")),
        ),
    )
