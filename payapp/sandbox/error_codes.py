"""Toss's error codes, part one: auth, generic, idempotency, the transactions list, and
payment lookup and confirm (toss-api.md §4.2, §4.3). ``errors.CATALOG`` joins both parts.

Each code is at its documented HTTP status; the Korean wording is Toss's where the reference
quotes it, the rest and every English text are ours (see ``errors``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    ko: str
    en: str


REQUEST_AND_PAYMENT_CODES: dict[str, ErrorSpec] = {
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
}
