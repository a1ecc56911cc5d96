"""/admin/payments (the operators' list): what needs attention, stats, chart, filters, the table.
One payment's page is payapp/pages/admin_payment.py."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from payapp.components.guards import require_role
from payapp.components.layout import layout
from payapp.models import Role
from payapp.pages.admin_banners import attention_filter_note, drift_banner, stuck_banner
from payapp.state.admin import AdminListState

COLUMNS = ("주문번호", "상품", "구매자", "금액", "잔액", "결제수단", "상태", "승인시각", "마지막 확인")


def stat(label: str, value: rx.Var | str | rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.text(value, size="5", weight="bold"), spacing="1"),
        flex="1",
        min_width="150px",
    )


def status_chip(item: ObjectVar[dict[str, Any]]) -> rx.Component:
    """A status filter that applies at once (the URL changes); its number is the facet count."""
    # On the class a state var is a Var (ArrayVar.contains); mypy sees the list.
    chosen = AdminListState.statuses.contains(item["status"])  # type: ignore[attr-defined]
    return rx.button(
        rx.text(item["label"].to(str)),
        rx.badge(item["count"].to(str), variant="soft", color_scheme="gray", data_testid="status-chip-count"),
        type="button",
        size="2",
        variant=rx.cond(chosen, "solid", "outline"),
        aria_pressed=rx.cond(chosen, "true", "false"),
        data_testid="status-chip",
        on_click=AdminListState.toggle_status(item["status"].to(str)),
    )


CHIPS_NOTE = "상태를 누르면 바로 적용됩니다. 숫자는 상태 선택과 관계없이 기간·검색어에 맞는 건수입니다."


def filters() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(
                rx.foreach(AdminListState.by_status, status_chip),
                spacing="2",
                wrap="wrap",
                role="group",
                aria_label="상태 필터",
            ),
            rx.text(CHIPS_NOTE, size="1", color_scheme="gray", data_testid="status-chips-note"),
            rx.flex(
                rx.input(
                    name="q",
                    placeholder="주문번호, paymentKey, 상품명, 구매자 이메일",
                    default_value=AdminListState.q,
                    aria_label="검색어",
                    flex="2",
                    min_width="220px",
                    key=AdminListState.q,
                ),
                rx.input(
                    name="from",
                    type="date",
                    default_value=AdminListState.date_from,
                    aria_label="시작일",
                    key=AdminListState.date_from,
                ),
                rx.input(
                    name="to",
                    type="date",
                    default_value=AdminListState.date_to,
                    aria_label="종료일",
                    key=AdminListState.date_to,
                ),
                rx.button("검색", type="submit"),
                rx.button("초기화", type="button", variant="soft", on_click=AdminListState.reset_filters),
                rx.button("CSV 내보내기", type="button", variant="outline", on_click=AdminListState.export_csv),
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=AdminListState.apply,
        reset_on_submit=False,
    )


def payment_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["orderId"], href=row["href"].to(str)), white_space="nowrap"),
        rx.table.cell(row["orderName"], min_width="140px"),  # nine columns: the table scrolls, names don't break
        rx.table.cell(row["buyer"]),
        rx.table.cell(row["amount"], white_space="nowrap", text_align="right"),
        rx.table.cell(row["balance"], white_space="nowrap", text_align="right"),
        rx.table.cell(row["method"], white_space="nowrap"),
        rx.table.cell(rx.badge(row["statusLabel"], color_scheme=row["statusColor"].to(str))),
        rx.table.cell(row["approvedAt"], white_space="nowrap"),
        rx.table.cell(
            rx.text(row["checkedAt"], size="1", color_scheme="gray"),
            white_space="nowrap",
            data_testid="admin-row-checked-at",
        ),
        data_testid="admin-row",
    )


COUNT_COLUMNS = ("상태", "오늘", "최근 7일", "조회 조건")


def status_count_row(item: ObjectVar[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.cond(
                item["status"] == "",
                rx.text(item["label"], weight="bold"),
                rx.badge(item["label"], color_scheme=item["color"].to(str)),
            )
        ),
        *[rx.table.cell(item[key], text_align="right") for key in ("today", "week", "filter")],
        data_testid="status-count-row",
    )


def status_counts() -> rx.Component:
    """Counts by status for today / the last 7 days (the whole shop) and the filter (the table's rows)."""
    return rx.card(
        rx.heading("상태별 건수", size="3", as_="h2", margin_bottom="0.5em"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(c, text_align="left" if i == 0 else "right")
                            for i, c in enumerate(COUNT_COLUMNS)
                        ]
                    )
                ),
                rx.table.body(rx.foreach(AdminListState.status_counts, status_count_row)),
                variant="ghost",
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text("오늘·최근 7일은 전체 결제, 조회 조건은 아래 표에 나오는 결제입니다.", size="1", color_scheme="gray"),
        margin_bottom="1em",
        data_testid="status-counts",
    )


@require_role(Role.ADMIN)
def admin_payments_page() -> rx.Component:
    s = AdminListState
    return layout(
        rx.heading(
            "결제 관리",
            size="6",
            as_="h1",
            margin_bottom="0.6em",
            # The table follows reconciliation while the operator is here, not after.
            on_mount=s.start_watching,
            on_unmount=s.stop_watching,
        ),
        stuck_banner(),
        drift_banner(),
        rx.flex(
            stat("오늘 매출", s.revenue["today"]),
            stat("최근 7일 매출", s.revenue["week"]),
            stat("조회 조건 매출", s.revenue["filter"]),
            stat("조회 건수", rx.fragment(s.count, rx.cond(s.count_capped, "+", ""))),
            spacing="3",
            wrap="wrap",
            margin_bottom="1em",
        ),
        rx.cond(
            s.stats_note != "",
            rx.callout(s.stats_note, color_scheme="amber", size="1", margin_bottom="1em", data_testid="stats-note"),
        ),
        status_counts(),
        rx.card(
            # fill is a colour, not var(--…): SVG presentation attributes take no CSS variables.
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="revenue", fill="#3e63dd", name="매출(원)", is_animation_active=False),
                rx.recharts.x_axis(data_key="day"),
                rx.recharts.y_axis(width=80),
                rx.recharts.graphing_tooltip(),
                data=s.daily,
                height=200,
                width="100%",
            ),
            margin_bottom="1em",
        ),
        filters(),
        attention_filter_note(),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", role="alert", margin_top="1em")),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(c) for c in COLUMNS])),
                rx.table.body(rx.foreach(s.rows, payment_row)),
                variant="surface",
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
            margin_top="1em",
        ),
        rx.hstack(
            rx.button("이전", variant="soft", disabled=rx.cond(s.cursors, False, True), on_click=s.previous_page),
            rx.button("다음 50건", variant="soft", disabled=s.next_cursor == "", on_click=s.next_page),
            rx.cond(s.loading, rx.spinner()),
            justify="end",
            margin_top="0.8em",
        ),
    )
