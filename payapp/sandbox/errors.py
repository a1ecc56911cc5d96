"""Toss error catalog: code → HTTP status and the message in Korean and English.

Every code of the confirm, lookup and cancel tables of Toss's error-code reference is here
at its documented status (``/work/shared/reference/toss-api.md`` §4.2–§4.4, plus the few
codes other paths need, e.g. the transactions list's ``INVALID_TRANSACTION_KEY``). The Korean
wording is Toss's where the reference quotes it; the rest, and every English text (what the
API gives with ``Accept-Language: en-US``), is ours: clients must match on ``code``, never on
``message``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    ko: str
    en: str


CATALOG: dict[str, ErrorSpec] = {
    # auth
    "UNAUTHORIZED_KEY": ErrorSpec(
        401, "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.", "Unauthorized secret key or client key."
    ),
    "INCORRECT_BASIC_AUTH_FORMAT": ErrorSpec(
        403,
        "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요.",
        "Incorrect Basic auth format. Encode the key including ':'.",
    ),
    "INVALID_API_KEY": ErrorSpec(
        400, "잘못된 시크릿키 연동 정보 입니다.", "Invalid secret key integration information."
    ),
    # generic
    "INVALID_REQUEST": ErrorSpec(400, "잘못된 요청입니다.", "Invalid request."),
    "FORBIDDEN_REQUEST": ErrorSpec(403, "허용되지 않은 요청입니다.", "The request is not allowed."),
    "NOT_FOUND": ErrorSpec(404, "존재하지 않는 정보 입니다.", "Not found."),
    "FORBIDDEN_CONSECUTIVE_REQUEST": ErrorSpec(
        403,
        "반복적인 요청은 허용되지 않습니다. 잠시 후 다시 시도해주세요.",
        "Consecutive requests are not allowed. Try again later.",
    ),
    "TOO_MANY_REQUESTS": ErrorSpec(
        429, "요청량이 많습니다. 잠시 후 다시 시도해주세요.", "Too many requests. Try again later."
    ),
    # idempotency
    "INVALID_IDEMPOTENCY_KEY": ErrorSpec(
        400, "멱등키는 300자 이하여야 합니다.", "The idempotency key must be 300 characters or fewer."
    ),
    "IDEMPOTENT_REQUEST_PROCESSING": ErrorSpec(
        409, "이전 멱등 요청이 처리중입니다.", "A previous request with this idempotency key is still being processed."
    ),
    # transactions (거래 조회): a startingAfter that is no transaction of the merchant's; the
    # Korean message is Toss's, from a real 400 quoted on techchat (toss-api.md §2.7)
    "INVALID_TRANSACTION_KEY": ErrorSpec(400, "잘못된 페이징 키 입니다.", "Invalid paging key (startingAfter)."),
    # payments: lookup / confirm
    "NOT_FOUND_PAYMENT": ErrorSpec(404, "존재하지 않는 결제 정보 입니다.", "Payment not found."),
    "NOT_FOUND_PAYMENT_SESSION": ErrorSpec(
        404,
        "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.",
        "The payment session has expired and no payment data exists.",
    ),
    "ALREADY_PROCESSED_PAYMENT": ErrorSpec(400, "이미 처리된 결제 입니다.", "The payment has already been processed."),
    "DUPLICATED_ORDER_ID": ErrorSpec(
        400,
        "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요.",
        "This orderId was already approved or canceled. Use another orderId.",
    ),
    "PROVIDER_ERROR": ErrorSpec(
        400,
        "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.",
        "A temporary error occurred. Please try again later.",
    ),
    "EXCEED_MAX_CARD_INSTALLMENT_PLAN": ErrorSpec(
        400, "설정 가능한 최대 할부 개월 수를 초과했습니다.", "Exceeded the maximum installment plan."
    ),
    "NOT_ALLOWED_POINT_USE": ErrorSpec(
        400,
        "포인트 사용이 불가한 카드로 카드 포인트 결제에 실패했습니다.",
        "Card points cannot be used with this card.",
    ),
    "INVALID_REJECT_CARD": ErrorSpec(
        400, "카드 사용이 거절되었습니다. 카드사 문의가 필요합니다.", "The card was refused. Contact the card issuer."
    ),
    "BELOW_MINIMUM_AMOUNT": ErrorSpec(
        400,
        "신용카드는 결제금액이 100원 이상, 계좌는 200원이상부터 결제가 가능합니다.",
        "Card payments must be at least 100 KRW, account payments at least 200 KRW.",
    ),
    "INVALID_CARD_EXPIRATION": ErrorSpec(
        400, "카드 정보를 다시 확인해주세요. (유효기간)", "Check the card's expiration date."
    ),
    "INVALID_STOPPED_CARD": ErrorSpec(400, "정지된 카드 입니다.", "The card is suspended."),
    "EXCEED_MAX_DAILY_PAYMENT_COUNT": ErrorSpec(
        400, "하루 결제 가능 횟수를 초과했습니다.", "Exceeded the daily payment count."
    ),
    "INVALID_CARD_INSTALLMENT_PLAN": ErrorSpec(400, "할부 개월 정보가 잘못되었습니다.", "Invalid installment plan."),
    "EXCEED_MAX_PAYMENT_AMOUNT": ErrorSpec(
        400, "하루 결제 가능 금액을 초과했습니다.", "Exceeded the daily payment amount."
    ),
    "INVALID_CARD_LOST_OR_STOLEN": ErrorSpec(400, "분실 혹은 도난 카드입니다.", "The card is lost or stolen."),
    "INVALID_CARD_NUMBER": ErrorSpec(400, "카드번호를 다시 확인해주세요.", "Check the card number."),
    "CARD_PROCESSING_ERROR": ErrorSpec(
        400, "카드사에서 오류가 발생했습니다.", "An error occurred at the card company."
    ),
    "EXCEED_MAX_AMOUNT": ErrorSpec(400, "거래금액 한도를 초과했습니다.", "Exceeded the transaction amount limit."),
    "NOT_AVAILABLE_PAYMENT": ErrorSpec(
        400, "결제가 불가능한 시간대입니다.", "Payments are not available at this time."
    ),
    "UNAPPROVED_ORDER_ID": ErrorSpec(400, "아직 승인되지 않은 주문번호입니다.", "The orderId is not approved yet."),
    "NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT": ErrorSpec(
        400, "할부가 지원되지 않는 카드 또는 가맹점 입니다.", "Installments are not supported by this card or merchant."
    ),
    "NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN": ErrorSpec(
        400, "할부가 지원되지 않는 카드입니다.", "This card does not support installments."
    ),
    "NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN_BELOW_AMOUNT": ErrorSpec(
        400,
        "5만원 미만의 결제는 할부가 불가능해서 결제에 실패했습니다.",
        "Installments are not available for payments under 50,000 KRW.",
    ),
    "NOT_FOUND_TERMINAL_ID": ErrorSpec(
        400,
        "단말기번호(Terminal Id)가 없습니다. 토스페이먼츠로 문의 바랍니다.",
        "No terminal id is registered. Contact Toss Payments.",
    ),
    "INVALID_AUTHORIZE_AUTH": ErrorSpec(400, "유효하지 않은 인증 방식입니다.", "Invalid authentication method."),
    "RESTRICTED_TRANSFER_ACCOUNT": ErrorSpec(
        400,
        "계좌는 등록 후 12시간 뒤부터 결제할 수 있습니다. 관련 정책은 해당 은행으로 문의해주세요.",
        "An account can be used for payments 12 hours after it was registered.",
    ),
    "INVALID_UNREGISTERED_SUBMALL": ErrorSpec(400, "등록되지 않은 서브몰입니다.", "The sub-mall is not registered."),
    "NOT_REGISTERED_BUSINESS": ErrorSpec(
        400, "등록되지 않은 사업자 번호입니다.", "The business registration number is not registered."
    ),
    "EXCEED_MAX_ONE_DAY_WITHDRAW_AMOUNT": ErrorSpec(
        400, "1일 출금 한도를 초과했습니다.", "Exceeded the daily withdrawal limit."
    ),
    "EXCEED_MAX_ONE_TIME_WITHDRAW_AMOUNT": ErrorSpec(
        400, "1회 출금 한도를 초과했습니다.", "Exceeded the per-transaction withdrawal limit."
    ),
    "INVALID_ACCOUNT_INFO_RE_REGISTER": ErrorSpec(
        400,
        "유효하지 않은 계좌입니다. 계좌 재등록 후 시도해주세요.",
        "Invalid account. Register the account again and retry.",
    ),
    "EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT": ErrorSpec(
        400,
        "당월 결제 가능금액인 1,000,000원을 초과 하셨습니다.",
        "Exceeded this month's payment limit of 1,000,000 KRW.",
    ),
    "INVALID_PAYMENT_KEY": ErrorSpec(400, "유효하지 않은 paymentKey 입니다.", "Invalid paymentKey."),
    "REJECT_ACCOUNT_PAYMENT": ErrorSpec(
        403, "잔액부족으로 결제에 실패했습니다.", "Payment failed: insufficient balance."
    ),
    "REJECT_CARD_PAYMENT": ErrorSpec(
        403,
        "한도초과 혹은 잔액부족으로 결제에 실패했습니다.",
        "Payment failed: over the limit or insufficient balance.",
    ),
    "REJECT_CARD_COMPANY": ErrorSpec(
        403, "결제 승인이 거절되었습니다.", "The payment was refused by the card company."
    ),
    "EXCEED_MAX_AUTH_COUNT": ErrorSpec(
        403,
        "최대 인증 횟수를 초과했습니다. 카드사로 문의해주세요.",
        "Exceeded the maximum number of authentication attempts.",
    ),
    "EXCEED_MAX_ONE_DAY_AMOUNT": ErrorSpec(403, "일일 한도를 초과했습니다.", "Exceeded the daily limit."),
    "NOT_AVAILABLE_BANK": ErrorSpec(403, "은행 서비스 시간이 아닙니다.", "Outside the bank's service hours."),
    "INVALID_PASSWORD": ErrorSpec(403, "결제 비밀번호가 일치하지 않습니다.", "The payment password does not match."),
    "REJECT_TOSSPAY_INVALID_ACCOUNT": ErrorSpec(
        403,
        "선택하신 출금 계좌가 출금이체 등록이 되어 있지 않아요. 계좌를 다시 등록해 주세요.",
        "The TossPay withdrawal account is not registered for withdrawals. Register the account again.",
    ),
    "FDS_ERROR": ErrorSpec(
        403,
        "[토스페이먼츠] 위험거래가 감지되어 결제가 제한됩니다.",
        "The payment is restricted: a risky transaction was detected.",
    ),
    "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING": ErrorSpec(
        500, "결제가 완료되지 않았어요. 다시 시도해주세요.", "The payment was not completed. Please try again."
    ),
    "FAILED_INTERNAL_SYSTEM_PROCESSING": ErrorSpec(
        500,
        "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.",
        "Internal processing failed. Please try again later.",
    ),
    "UNKNOWN_PAYMENT_ERROR": ErrorSpec(
        500,
        "결제에 실패했어요. 같은 문제가 반복된다면 은행이나 카드사로 문의해주세요.",
        "The payment failed. If it repeats, contact your bank or card company.",
    ),
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


def message(code: str, english: bool = False) -> str:
    spec = CATALOG.get(code)
    if spec is None:
        return code
    return spec.en if english else spec.ko


class SandboxError(Exception):
    """An error the sandbox answers with ``{code, message}`` at Toss's HTTP status.

    ``detail`` (Korean) and ``detail_en`` (English) say which field was wrong; the message
    carries the one in the language the request asked for. A detail given only in Korean
    is left out of an English message rather than mixing languages.
    """

    def __init__(self, code: str, detail: str | None = None, status: int | None = None, detail_en: str | None = None):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.detail_en = detail_en
        spec = CATALOG.get(code)
        self.status = status or (spec.status if spec else 400)

    def body(self, english: bool = False) -> dict:
        text = message(self.code, english)
        detail = self.detail_en if english else self.detail
        if detail:
            text = f"{text} ({detail})"
        return {"code": self.code, "message": text}
