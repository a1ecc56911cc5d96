"""/admin/payment?orderId=… (one payment): fields, refunds, Toss와 동기화, timeline, Toss's last answer."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from payapp import routes
from payapp.components.guards import require_role
from payapp.components.layout import layout
from payapp.models import Role
from payapp.state.admin_payment import AdminPaymentState


def _field(label: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label, min_width="110px"), rx.data_list.value(value))


def _refund_form(fields: list[rx.Component], reason_label: str, submit: str, close: rx.Component) -> rx.Component:
    """What both refund dialogs' forms hold: fields, a reason, 닫기, and a red submit."""
    return rx.vstack(
        *fields,
        rx.input(name="reason", required=True, max_length=200, placeholder="환불 사유", aria_label=reason_label),
        rx.hstack(
            close,
            rx.button(submit, type="submit", color_scheme="red", loading=AdminPaymentState.busy),
            justify="end",
            width="100%",
        ),
        spacing="3",
    )


def _refund_account_fields() -> rx.Component:
    """For a deposited 가상계좌: the account the buyer is refunded to (Toss's refundReceiveAccount)."""
    return rx.cond(
        AdminPaymentState.needs_refund_account,
        rx.vstack(
            rx.text("환불받을 계좌 (가상계좌 결제)", size="2", weight="bold"),
            rx.input(
                name="bank",
                required=True,
                max_length=20,
                placeholder="은행 코드 또는 이름 (예: 20, 우리)",
                aria_label="환불 계좌 은행",
            ),
            rx.input(
                name="accountNumber",
                required=True,
                pattern=r"\d{6,20}",
                placeholder="계좌번호 (숫자만)",
                aria_label="환불 계좌번호",
            ),
            rx.input(name="holderName", required=True, max_length=60, placeholder="예금주", aria_label="예금주"),
            spacing="2",
            width="100%",
        ),
    )


def refund_dialogs() -> rx.Component:
    s = AdminPaymentState
    partial = rx.dialog.root(
        rx.dialog.trigger(rx.button("부분 환불", variant="soft", disabled=~s.partly_refundable)),
        rx.dialog.content(
            rx.dialog.title("부분 환불"),
            rx.dialog.description("환불할 금액과 사유를 입력하세요. 남은 금액: ", s.detail["balance"]),
            rx.form(
                _refund_form(
                    [
                        rx.input(
                            name="amount",
                            type="number",
                            min=1,
                            max=s.balance,
                            required=True,
                            placeholder="환불 금액(원)",
                            aria_label="환불 금액",
                        ),
                        _refund_account_fields(),
                    ],
                    "환불 사유",
                    "다음",
                    rx.dialog.close(rx.button("닫기", type="button", variant="soft")),
                ),
                on_submit=s.review_partial,
                reset_on_submit=True,
            ),
        ),
        open=s.partial_open,
        on_open_change=s.set_partial_open,
    )
    # The partial refund's confirmation, as the full refund's own alert dialog is: nothing is
    # sent to Toss until 환불하기 here.
    confirm = rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("부분 환불 확인"),
            rx.alert_dialog.description(
                "정말 ", s.pending_won, "을 환불할까요?", weight="bold", data_testid="confirm-question"
            ),
            rx.text("사유: ", s.pending_reason, size="2", color_scheme="gray", margin_top="0.5em"),
            rx.text("환불은 되돌릴 수 없습니다.", size="2", color_scheme="gray"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("취소", type="button", variant="soft")),
                rx.button("환불하기", type="button", color_scheme="red", loading=s.busy, on_click=s.confirm_partial),
                justify="end",
                width="100%",
                margin_top="1em",
            ),
        ),
        open=s.confirm_open,
        on_open_change=s.set_confirm_open,
    )
    full = rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("전액 환불", color_scheme="red", disabled=~s.refundable)),
        rx.alert_dialog.content(
            rx.alert_dialog.title("전액 환불"),
            rx.alert_dialog.description("남은 금액 ", s.detail["balance"], "을 모두 환불합니다. 되돌릴 수 없습니다."),
            rx.form(
                _refund_form(
                    [_refund_account_fields()],
                    "전액 환불 사유",
                    "전액 환불하기",
                    rx.alert_dialog.cancel(rx.button("닫기", type="button", variant="soft")),
                ),
                on_submit=s.refund,
                reset_on_submit=True,
            ),
        ),
        open=s.full_open,
        on_open_change=s.set_full_open,
    )
    return rx.hstack(
        full,
        partial,
        confirm,
        rx.button("Toss와 동기화", variant="outline", loading=s.busy, on_click=s.sync),
        spacing="2",
        wrap="wrap",
    )


def timeline_item(event: ObjectVar[dict[str, str]]) -> rx.Component:
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
                rx.hstack(
                    rx.heading(d["orderId"], size="5", as_="h1"),
                    rx.badge(
                        d["statusLabel"], color_scheme=d["statusColor"].to(str), size="2", data_testid="detail-status"
                    ),
                    align="center",
                    wrap="wrap",
                ),
                refund_dialogs(),
                rx.card(
                    rx.data_list.root(
                        _field("주문번호", d["orderId"]),
                        _field("paymentKey", d["paymentKey"]),
                        _field("상품", d["items"]),
                        _field("구매자", d["buyer"]),
                        _field("금액", d["amount"]),
                        _field("잔액", rx.text(d["balance"], data_testid="detail-balance")),
                        _field("결제수단", d["method"]),
                        _field("승인시각", d["approvedAt"]),
                        _field("생성", d["createdAt"]),
                        _field("최근 변경", d["updatedAt"]),
                        _field("실패", d["failure"]),
                        _field("마지막 Toss 확인", rx.text(d["checkedAt"], data_testid="detail-checked-at")),
                        orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                    ),
                    width="100%",
                ),
                rx.heading("상태 변경 이력", size="4", as_="h2"),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[rx.table.column_header_cell(c) for c in ("시각", "이전", "이후", "출처", "내용")]
                            )
                        ),
                        rx.table.body(rx.foreach(s.events, timeline_item)),
                        variant="surface",
                        size="1",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.heading("토스페이먼츠 마지막 응답", size="4", as_="h2"),
                rx.code_block(s.raw_json, language="json", width="100%", max_height="420px", overflow="auto"),
                spacing="4",
                width="100%",
                margin_top="1em",
            ),
        ),
    )
