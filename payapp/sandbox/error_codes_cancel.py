"""Toss's error codes, part two: cancel (toss-api.md §4.4), the payment window's failUrl codes,
가상계좌, 자동결제, key families, and the sandbox's own. ``errors.CATALOG`` joins both parts."""

from __future__ import annotations

from .error_codes import ErrorSpec

CANCEL_AND_FLOW_CODES: dict[str, ErrorSpec] = {
    # cancel
    "ALREADY_CANCELED_PAYMENT": ErrorSpec(400, "이미 취소된 결제 입니다.", "The payment has already been canceled."),
    "NOT_CANCELABLE_AMOUNT": ErrorSpec(403, "취소 할 수 없는 금액 입니다.", "The amount cannot be canceled."),
    "NOT_CANCELABLE_PAYMENT": ErrorSpec(403, "취소 할 수 없는 결제 입니다.", "The payment cannot be canceled."),
    "NOT_MATCHES_REFUNDABLE_AMOUNT": ErrorSpec(
        400, "잔액 결과가 일치하지 않습니다.", "The refundable amount does not match the balance."
    ),
    "NOT_ALLOWED_PARTIAL_REFUND": ErrorSpec(
        403,
        "에스크로 주문, 현금 카드 결제일 때는 부분 환불이 불가합니다.",
        "Partial refunds are not allowed for this payment.",
    ),
    "EXCEED_MAX_REFUND_DUE": ErrorSpec(403, "환불 가능한 기간이 지났습니다.", "The refund period has passed."),
    "REFUND_REJECTED": ErrorSpec(
        400, "환불이 거절됐습니다. 결제사에 문의 부탁드립니다.", "The refund was rejected by the provider."
    ),
    "FAILED_REFUND_PROCESS": ErrorSpec(
        500,
        "은행 응답시간 지연이나 일시적인 오류로 환불요청에 실패했습니다.",
        "The refund failed because of a bank delay or a temporary error.",
    ),
    "INVALID_REFUND_ACCOUNT_INFO": ErrorSpec(
        400,
        "환불 계좌번호와 예금주명이 일치하지 않습니다.",
        "The refund account number and the holder's name do not match.",
    ),
    "EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT": ErrorSpec(
        400,
        "즉시할인금액보다 적은 금액은 부분취소가 불가능합니다.",
        "A partial cancel smaller than the instant discount amount is not allowed.",
    ),
    "INVALID_REFUND_ACCOUNT_NUMBER": ErrorSpec(400, "잘못된 환불 계좌번호입니다.", "Invalid refund account number."),
    "INVALID_BANK": ErrorSpec(400, "유효하지 않은 은행입니다.", "Invalid bank."),
    "ALREADY_REFUND_PAYMENT": ErrorSpec(400, "이미 환불된 결제입니다.", "The payment has already been refunded."),
    "FORBIDDEN_BANK_REFUND_REQUEST": ErrorSpec(
        400, "고객 계좌가 입금이 되지 않는 상태입니다.", "The buyer's account cannot receive deposits."
    ),
    "INVALID_REFUND_AMOUNT": ErrorSpec(400, "잘못된 환불 금액입니다.", "Invalid refund amount."),
    "NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT": ErrorSpec(
        403,
        "입금 대기중인 결제는 부분 환불이 불가합니다.",
        "A payment waiting for deposit cannot be partially refunded.",
    ),
    "NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER": ErrorSpec(
        403, "휴면 처리된 회원의 결제는 취소할 수 없습니다.", "A dormant user's payment cannot be canceled."
    ),
    "EXCEED_CANCEL_LIMIT": ErrorSpec(403, "취소 한도 금액을 초과 하였습니다.", "Exceeded the cancel limit."),
    "EXCEED_MAX_REFUND_AMOUNT": ErrorSpec(403, "환불 가능한 금액을 초과했습니다.", "Exceeded the refundable amount."),
    "FAILED_METHOD_HANDLING_CANCEL": ErrorSpec(
        500,
        "취소 중 결제 시 사용한 결제 수단 처리과정에서 일시적인 오류가 발생했습니다.",
        "A temporary error occurred while the payment method handled the cancel.",
    ),
    "FAILED_PARTIAL_REFUND": ErrorSpec(
        500,
        "은행 점검, 해약 계좌 등의 사유로 부분 환불이 실패했습니다.",
        "The partial refund failed (bank maintenance, closed account or similar).",
    ),
    "COMMON_ERROR": ErrorSpec(
        500,
        "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.",
        "A temporary error occurred. Please try again later.",
    ),
    # payment window / failUrl codes
    "PAY_PROCESS_CANCELED": ErrorSpec(
        400, "사용자에 의해 결제가 취소되었습니다.", "The payment was canceled by the user."
    ),
    "PAY_PROCESS_ABORTED": ErrorSpec(
        400, "결제 진행 중 승인에 실패하여 결제가 중단되었습니다.", "The payment was aborted because approval failed."
    ),
    # 가상계좌 (virtual accounts): issue options (toss-api.md §2.5) and deposits
    "EXCEED_MAX_DUE_DATE": ErrorSpec(
        400, "가상 계좌의 최대 유효만료 기간을 초과했습니다.", "Exceeded the virtual account's maximum due date."
    ),
    "INVALID_DATE": ErrorSpec(400, "날짜 데이터가 잘못 되었습니다.", "Invalid date."),
    # 자동결제 (billing, toss-api.md §2.6, §4.5); statuses Toss does not document are ours
    "NOT_MATCHES_CUSTOMER_KEY": ErrorSpec(
        400,
        "빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다.",
        "The customerKey does not match the billing key's customer.",
    ),
    "NOT_FOUND_BILLING": ErrorSpec(404, "존재하지 않는 빌링 정보입니다.", "Billing information not found."),
    "INVALID_BILLING_AUTH": ErrorSpec(400, "유효하지 않은 빌링 인증입니다.", "Invalid billing authentication."),
    "NOT_SUPPORTED_METHOD": ErrorSpec(400, "지원되지 않는 결제수단입니다.", "The payment method is not supported."),
    # key families (결제위젯 연동 키 vs API 개별 연동 키), as the SDK reports them
    "NOT_SUPPORTED_WIDGET_KEY": ErrorSpec(
        400,
        "결제위젯 연동 키는 결제창에서 사용할 수 없습니다. API 개별 연동 키를 사용하세요.",
        "A payment widget key cannot open the payment window. Use an API individual key.",
    ),
    "NOT_SUPPORTED_API_INDIVIDUAL_KEY": ErrorSpec(
        400,
        "API 개별 연동 키는 결제위젯에서 사용할 수 없습니다. 결제위젯 연동 키를 사용하세요.",
        "An API individual key cannot be used with the payment widget. Use a payment widget key.",
    ),
    # the sandbox's own control API (not Toss's): a webhook target on a host it may not reach
    "WEBHOOK_HOST_NOT_ALLOWED": ErrorSpec(
        400, "이 샌드박스가 웹훅을 보낼 수 없는 호스트입니다.", "This sandbox may not send webhooks to that host."
    ),
    # failure codes seen on Payment.failure
    "EXPIRED_PAYMENT": ErrorSpec(
        400, "결제가 만료되었습니다. 다시 시도해주세요.", "The payment has expired. Please try again."
    ),
}
