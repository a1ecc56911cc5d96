"""/admin/payments (the operators' list) and /admin/payment?orderId=… (one payment)."""

from __future__ import annotations

import reflex as rx

from payapp import routes
from payapp.components.guards import require_role
from payapp.components.layout import layout
from payapp.models import Role
from payapp.state.admin import AdminListState, AdminPaymentState

COLUMNS = ("주문번호", "상품", "구매자", "금액", "잔액", "결제수단", "상태", "승인시각")


def stat(label: str, value: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.text(value, size="5", weight="bold"),
                             spacing="1"), flex="1", min_width="150px")


def status_chip(item: rx.Var) -> rx.Component:
    """A status filter that applies at once (the URL changes); its number is the facet count."""
    chosen = AdminListState.statuses.contains(item["status"])
    return rx.button(
        rx.text(item["label"].to(str)),
        rx.badge(item["count"].to(str), variant="soft", color_scheme="gray", data_testid="status-chip-count"),
        type="button", size="2", variant=rx.cond(chosen, "solid", "outline"),
        aria_pressed=rx.cond(chosen, "true", "false"), data_testid="status-chip",
        on_click=AdminListState.toggle_status(item["status"].to(str)),
    )


CHIPS_NOTE = "상태를 누르면 바로 적용됩니다. 숫자는 상태 선택과 관계없이 기간·검색어에 맞는 건수입니다."


def filters() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(rx.foreach(AdminListState.by_status, status_chip), spacing="2", wrap="wrap",
                    role="group", aria_label="상태 필터"),
            rx.text(CHIPS_NOTE, size="1", color_scheme="gray", data_testid="status-chips-note"),
            rx.flex(
                rx.input(name="q", placeholder="주문번호, paymentKey, 상품명, 구매자 이메일", default_value=AdminListState.q,
                         aria_label="검색어", flex="2", min_width="220px", key=AdminListState.q),
                rx.input(name="from", type="date", default_value=AdminListState.date_from, aria_label="시작일",
                         key=AdminListState.date_from),
                rx.input(name="to", type="date", default_value=AdminListState.date_to, aria_label="종료일",
                         key=AdminListState.date_to),
                rx.button("검색", type="submit"),
                rx.button("초기화", type="button", variant="soft", on_click=AdminListState.reset_filters),
                rx.button("CSV 내보내기", type="button", variant="outline", on_click=AdminListState.export_csv),
                spacing="2", wrap="wrap", width="100%",
            ),
            spacing="3", width="100%",
        ),
        on_submit=AdminListState.apply, reset_on_submit=False,
    )


def payment_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["orderId"], href=row["href"].to(str)), white_space="nowrap"),
        rx.table.cell(row["orderName"]),
        rx.table.cell(row["buyer"]),
        rx.table.cell(row["amount"], white_space="nowrap", text_align="right"),
        rx.table.cell(row["balance"], white_space="nowrap", text_align="right"),
        rx.table.cell(row["method"]),
        rx.table.cell(rx.badge(row["statusLabel"], color_scheme=row["statusColor"].to(str))),
        rx.table.cell(row["approvedAt"], white_space="nowrap"),
        data_testid="admin-row",
    )


COUNT_COLUMNS = ("상태", "오늘", "최근 7일", "조회 조건")


def status_count_row(item: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.cond(item["status"] == "", rx.text(item["label"], weight="bold"),
                                         rx.badge(item["label"], color_scheme=item["color"].to(str)))),
        *[rx.table.cell(item[key], text_align="right") for key in ("today", "week", "filter")],
        data_testid="status-count-row",
    )


def status_counts() -> rx.Component:
    """Counts by status for today / the last 7 days (the whole shop) and the filter (the table's rows)."""
    return rx.card(
        rx.heading("상태별 건수", size="3", as_="h2", margin_bottom="0.5em"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(c, text_align="left" if i == 0 else "right")
                                           for i, c in enumerate(COUNT_COLUMNS)])),
            rx.table.body(rx.foreach(AdminListState.status_counts, status_count_row)),
            variant="ghost", size="1", width="100%",
        ), overflow_x="auto", width="100%"),
        rx.text("오늘·최근 7일은 전체 결제, 조회 조건은 아래 표에 나오는 결제입니다.", size="1", color_scheme="gray"),
        margin_bottom="1em", data_testid="status-counts",
    )


@require_role(Role.ADMIN)
def admin_payments_page() -> rx.Component:
    s = AdminListState
    return layout(
        rx.heading("결제 관리", size="6", as_="h1", margin_bottom="0.6em"),
        rx.flex(stat("오늘 매출", s.revenue["today"]), stat("최근 7일 매출", s.revenue["week"]),
                stat("조회 조건 매출", s.revenue["filter"]),
                stat("조회 건수", rx.cond(s.count_capped, s.count.to_string() + "+", s.count.to_string())),
                spacing="3", wrap="wrap", margin_bottom="1em"),
        status_counts(),
        rx.card(
            # fill is a colour, not var(--…): SVG presentation attributes take no CSS variables.
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="revenue", fill="#3e63dd", name="매출(원)", is_animation_active=False),
                rx.recharts.x_axis(data_key="day"), rx.recharts.y_axis(width=80),
                rx.recharts.graphing_tooltip(),
                data=s.daily, height=200, width="100%",
            ),
            margin_bottom="1em",
        ),
        filters(),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", role="alert", margin_top="1em")),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(c) for c in COLUMNS])),
                rx.table.body(rx.foreach(s.rows, payment_row)),
                variant="surface", size="1", width="100%",
            ),
            overflow_x="auto", width="100%", margin_top="1em",
        ),
        rx.hstack(
            rx.button("이전", variant="soft", disabled=s.cursors.length() == 0, on_click=s.previous_page),
            rx.button("다음 50건", variant="soft", disabled=s.next_cursor == "", on_click=s.next_page),
            rx.cond(s.loading, rx.spinner()),
            justify="end", margin_top="0.8em",
        ),
    )


def _field(label: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label, min_width="110px"), rx.data_list.value(value))


def _refund_form(fields: list[rx.Component], reason_label: str, submit: str, close: rx.Component,
                 on_submit: rx.EventHandler) -> rx.Component:
    """The form both refund dialogs share: fields, a reason, 닫기, and a red submit."""
    return rx.form(
        rx.vstack(
            *fields,
            rx.input(name="reason", required=True, max_length=200, placeholder="환불 사유", aria_label=reason_label),
            rx.hstack(close, rx.button(submit, type="submit", color_scheme="red", loading=AdminPaymentState.busy),
                      justify="end", width="100%"),
            spacing="3",
        ),
        on_submit=on_submit, reset_on_submit=True,
    )


def refund_dialogs() -> rx.Component:
    s = AdminPaymentState
    partial = rx.dialog.root(
        rx.dialog.trigger(rx.button("부분 환불", variant="soft", disabled=~s.refundable)),
        rx.dialog.content(
            rx.dialog.title("부분 환불"),
            rx.dialog.description("환불할 금액과 사유를 입력하세요. 남은 금액: ", s.detail["balance"]),
            _refund_form([rx.input(name="amount", type="number", min=1, max=s.balance, required=True,
                                   placeholder="환불 금액(원)", aria_label="환불 금액")],
                         "환불 사유", "다음", rx.dialog.close(rx.button("닫기", type="button", variant="soft")),
                         s.review_partial),
        ),
        open=s.partial_open, on_open_change=s.set_partial_open,
    )
    # The partial refund's confirmation, as the full refund's own alert dialog is: nothing is
    # sent to Toss until 환불하기 here.
    confirm = rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("부분 환불 확인"),
            rx.alert_dialog.description("정말 ", s.pending_won, "을 환불할까요?", weight="bold",
                                        data_testid="confirm-question"),
            rx.text("사유: ", s.pending_reason, size="2", color_scheme="gray", margin_top="0.5em"),
            rx.text("환불은 되돌릴 수 없습니다.", size="2", color_scheme="gray"),
            rx.hstack(rx.alert_dialog.cancel(rx.button("취소", type="button", variant="soft")),
                      rx.button("환불하기", type="button", color_scheme="red", loading=s.busy,
                                on_click=s.confirm_partial),
                      justify="end", width="100%", margin_top="1em"),
        ),
        open=s.confirm_open, on_open_change=s.set_confirm_open,
    )
    full = rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("전액 환불", color_scheme="red", disabled=~s.refundable)),
        rx.alert_dialog.content(
            rx.alert_dialog.title("전액 환불"),
            rx.alert_dialog.description("남은 금액 ", s.detail["balance"], "을 모두 환불합니다. 되돌릴 수 없습니다."),
            _refund_form([], "전액 환불 사유", "전액 환불하기",
                         rx.alert_dialog.cancel(rx.button("닫기", type="button", variant="soft")), s.refund),
        ),
        open=s.full_open, on_open_change=s.set_full_open,
    )
    return rx.hstack(full, partial, confirm,
                     rx.button("Toss와 동기화", variant="outline", loading=s.busy, on_click=s.sync), spacing="2",
                     wrap="wrap")


def timeline_item(event: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event["at"], white_space="nowrap"),
        rx.table.cell(event["from"]),
        rx.table.cell(rx.badge(event["to"], color_scheme=event["toColor"].to(str))),
        rx.table.cell(event["source"]),
        rx.table.cell(rx.text(event["detail"], size="1", color_scheme="gray")),
        data_testid="event-row",
    )


@require_role(Role.ADMIN)
def admin_payment_page() -> rx.Component:
    s = AdminPaymentState
    d = s.detail
    return layout(
        rx.link("← 결제 목록", href=routes.ADMIN_PAYMENTS),
        rx.cond(
            s.error != "",
            rx.callout(s.error, color_scheme="red", role="alert", margin_top="1em"),
            rx.vstack(
                rx.hstack(rx.heading(d["orderId"], size="5", as_="h1"),
                          rx.badge(d["statusLabel"], color_scheme=d["statusColor"].to(str), size="2",
                                   data_testid="detail-status"),
                          align="center", wrap="wrap"),
                refund_dialogs(),
                rx.card(rx.data_list.root(
                    _field("주문번호", d["orderId"]), _field("paymentKey", d["paymentKey"]),
                    _field("상품", d["items"]), _field("구매자", d["buyer"]),
                    _field("금액", d["amount"]), _field("잔액", rx.text(d["balance"], data_testid="detail-balance")),
                    _field("결제수단", d["method"]), _field("승인시각", d["approvedAt"]),
                    _field("생성", d["createdAt"]), _field("최근 변경", d["updatedAt"]), _field("실패", d["failure"]),
                    orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                ), width="100%"),
                rx.heading("상태 변경 이력", size="4", as_="h2"),
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(c)
                                                   for c in ("시각", "이전", "이후", "출처", "내용")])),
                    rx.table.body(rx.foreach(s.events, timeline_item)),
                    variant="surface", size="1", width="100%",
                ), overflow_x="auto", width="100%"),
                rx.heading("토스페이먼츠 마지막 응답", size="4", as_="h2"),
                rx.code_block(s.raw_json, language="json", width="100%", max_height="420px", overflow="auto"),
                spacing="4", width="100%", margin_top="1em",
            ),
        ),
    )
