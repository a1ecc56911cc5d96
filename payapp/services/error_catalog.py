"""The app's error catalog: every code the API and the pages answer with, its HTTP status, its
Korean message (what a buyer or an operator reads) and its English description (docs/API.md's
table is generated from it: ``python -m payapp.services.error_catalog``).

Toss's refusals are not here: they pass through with Toss's own code and message
(``ServiceError.passthrough``). The sandbox keeps its own catalog (payapp/sandbox/errors.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Code(StrEnum):
    INVALID_REQUEST = "INVALID_REQUEST"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    PRODUCT_NOT_AVAILABLE = "PRODUCT_NOT_AVAILABLE"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PASSWORD = "INVALID_PASSWORD"
    INVALID_CURSOR = "INVALID_CURSOR"
    PAYMENT_AMOUNT_MISMATCH = "PAYMENT_AMOUNT_MISMATCH"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    CANCEL_AMOUNT_EXCEEDS_BALANCE = "CANCEL_AMOUNT_EXCEEDS_BALANCE"
    ALREADY_CANCELED_PAYMENT = "ALREADY_CANCELED_PAYMENT"
    NOT_CANCELABLE_PAYMENT = "NOT_CANCELABLE_PAYMENT"
    NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT = "NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT"
    REFUND_ACCOUNT_REQUIRED = "REFUND_ACCOUNT_REQUIRED"
    HTTP_ERROR = "HTTP_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_TICKET = "INVALID_TICKET"
    FORBIDDEN = "FORBIDDEN"
    INVALID_SECRET = "INVALID_SECRET"
    PAYMENT_INFO_NOT_FOUND = "PAYMENT_INFO_NOT_FOUND"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    EMAIL_ALREADY_EXISTS = "EMAIL_ALREADY_EXISTS"
    REFUND_IN_PROGRESS = "REFUND_IN_PROGRESS"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    TOSS_CONFIGURATION_ERROR = "TOSS_CONFIGURATION_ERROR"
    TOSS_UNAVAILABLE = "TOSS_UNAVAILABLE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


@dataclass(frozen=True)
class ErrorSpec:
    """One code: its status, its Korean message (a ``str.format`` template where a value is
    named, e.g. ``{product_id}``) and what it means, in English, for the API's docs."""

    status: int
    message: str
    doc: str


PASSWORD_RULE: Final = "비밀번호는 8자 이상 128자 이하이며 영문자와 숫자를 모두 포함해야 합니다."
RETRY_LATER: Final = "잠시 후 다시 시도해주세요."

CATALOG: Final[Mapping[Code, ErrorSpec]] = {
    Code.INVALID_REQUEST: ErrorSpec(
        400, "요청이 올바르지 않습니다.", "bad input (the message names the field and its rule); nothing changed"
    ),
    Code.INVALID_QUANTITY: ErrorSpec(
        400, "수량은 상품마다 1개 이상 99개 이하입니다.", "a product's quantity is not 1–99"
    ),
    Code.PRODUCT_NOT_AVAILABLE: ErrorSpec(
        400, "판매 중이 아닌 상품입니다 (productId {product_id}).", "no such product, or it is not on sale"
    ),
    Code.INVALID_EMAIL: ErrorSpec(
        400, "이메일 주소 형식이 올바르지 않습니다.", "sign-up with an address that is not one"
    ),
    Code.INVALID_PASSWORD: ErrorSpec(400, PASSWORD_RULE, "sign-up with a password that breaks the rule"),
    Code.INVALID_CURSOR: ErrorSpec(
        400,
        "cursor가 올바르지 않습니다. 앞 페이지 응답의 nextCursor를 그대로 보내주세요.",
        "an admin list `cursor` that no page gave",
    ),
    Code.PAYMENT_AMOUNT_MISMATCH: ErrorSpec(
        400,
        "결제 금액이 주문 금액과 일치하지 않습니다.",
        "confirm's amount is not the server's price (before or after the payment); Toss is not called",
    ),
    Code.PAYMENT_FAILED: ErrorSpec(
        400,
        "결제에 실패했습니다.",
        "confirm of an order whose payment failed or expired (Toss's failure code is answered when there is one)",
    ),
    Code.CANCEL_AMOUNT_EXCEEDS_BALANCE: ErrorSpec(
        400, "환불 금액이 남은 금액({balance:,}원)을 초과합니다.", "a refund larger than what is left"
    ),
    Code.ALREADY_CANCELED_PAYMENT: ErrorSpec(
        400, "이미 전액 환불된 결제입니다.", "a refund of a payment refunded in full"
    ),
    Code.NOT_CANCELABLE_PAYMENT: ErrorSpec(
        400, "{status} 상태의 결제는 환불할 수 없습니다.", "a refund of a payment that was never paid"
    ),
    Code.NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT: ErrorSpec(
        400, "입금 전인 가상계좌는 전액만 취소할 수 있습니다.", "a partial refund of a 가상계좌 not yet paid in"
    ),
    Code.REFUND_ACCOUNT_REQUIRED: ErrorSpec(
        400,
        "가상계좌 결제는 환불받을 계좌(refundReceiveAccount)를 입력해야 환불할 수 있습니다.",
        "a refund of a deposited 가상계좌 without `refundReceiveAccount`",
    ),
    Code.HTTP_ERROR: ErrorSpec(400, "요청을 처리할 수 없습니다.", "another refusal by the web framework"),
    Code.UNAUTHORIZED: ErrorSpec(
        401,
        "인증이 필요합니다. 'Authorization: Bearer <accessToken>' 헤더를 보내주세요"
        " (토큰은 POST /v1/auth/token 으로 발급).",
        "no `Authorization: Bearer` header, or a malformed one",
    ),
    Code.INVALID_TOKEN: ErrorSpec(
        401,
        "액세스 토큰이 올바르지 않습니다.",
        "a token that is forged, of no user, or issued under a password since changed",
    ),
    Code.TOKEN_EXPIRED: ErrorSpec(
        401, "액세스 토큰이 만료되었습니다. POST /v1/auth/token으로 다시 발급받으세요.", "an expired token"
    ),
    Code.INVALID_CREDENTIALS: ErrorSpec(401, "이메일 또는 비밀번호가 올바르지 않습니다.", "a wrong email or password"),
    Code.INVALID_TICKET: ErrorSpec(
        401,
        "다운로드 링크가 만료되었거나 이미 사용되었습니다. 다시 내보내 주세요.",
        "a CSV download ticket that expired or was used",
    ),
    Code.FORBIDDEN: ErrorSpec(403, "권한이 없습니다.", "not an admin"),
    Code.INVALID_SECRET: ErrorSpec(
        403,
        "가상계좌 입금 알림의 secret이 일치하지 않습니다.",
        "a DEPOSIT_CALLBACK whose `secret` is not the payment's",
    ),
    Code.PAYMENT_INFO_NOT_FOUND: ErrorSpec(
        404,
        "결제 정보를 찾을 수 없습니다.",
        "no such order for you (also an expired prepare, or someone else's order)",
    ),
    Code.NOT_FOUND: ErrorSpec(404, "Not Found", "no such route"),
    Code.METHOD_NOT_ALLOWED: ErrorSpec(405, "Method Not Allowed", "the route takes another method"),
    Code.EMAIL_ALREADY_EXISTS: ErrorSpec(409, "이미 가입된 이메일입니다.", "sign-up twice"),
    Code.REFUND_IN_PROGRESS: ErrorSpec(
        409,
        "이 결제의 다른 환불을 처리하고 있습니다. " + RETRY_LATER,
        "another job on the order (a refund, a confirm, a settle) held its lock for over 60 s",
    ),
    Code.PAYLOAD_TOO_LARGE: ErrorSpec(
        413, "요청 본문이 너무 큽니다 (최대 {kib:,} KiB).", "a request body over the cap; not read"
    ),
    Code.TOO_MANY_REQUESTS: ErrorSpec(
        429,
        "요청이 너무 많습니다. {seconds}초 후에 다시 시도해주세요.",
        "sign-up or sign-in too often (per client, and failed sign-ins per account); see `Retry-After`",
    ),
    Code.INTERNAL_ERROR: ErrorSpec(500, "일시적인 서버 오류입니다. " + RETRY_LATER, "a bug; it is logged"),
    Code.TOSS_CONFIGURATION_ERROR: ErrorSpec(
        502,
        "결제 승인 서버 설정에 문제가 있습니다. 결제는 확인되는 대로 자동으로 처리됩니다.",
        "Toss refused *our* keys; the payment is left `IN_PROGRESS` and reconciliation confirms it once the keys work",
    ),
    Code.TOSS_UNAVAILABLE: ErrorSpec(
        503,
        "토스페이먼츠 응답을 받지 못했습니다. 잠시 후 다시 시도하거나 'Toss와 동기화'로 결과를 확인하세요.",
        "a refund got no answer from Toss; it stays requested under its own key and is finished by the"
        " next refund request or by reconciliation (a request for the same amount is its retry)",
    ),
    Code.SERVICE_UNAVAILABLE: ErrorSpec(
        503,
        "일시적으로 요청을 처리할 수 없습니다. " + RETRY_LATER,
        "Redis or PostgreSQL is down or its pool stayed busy (with `Retry-After`); nothing was half-written",
    ),
}


def markdown_table() -> str:
    """docs/API.md's error table, one row per code, by status."""
    rows = ["| status | code | when |", "|---|---|---|"]
    for code, spec in sorted(CATALOG.items(), key=lambda item: item[1].status):
        rows.append(f"| {spec.status} | `{code}` | {spec.doc} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")  # noqa: T201 - a command-line tool's output
