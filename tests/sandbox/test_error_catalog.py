"""The error catalog: every code of Toss's confirm, lookup and cancel tables at its documented
status with a real message in each language, and field details in the language asked for."""

from __future__ import annotations

import pytest

from tests.sandbox.flow import HANGUL, assert_error, authorize, cancel, confirm, paid

# (endpoint, code, HTTP status), written out from Toss's error-code tables as the contract
# reference records them (toss-api.md §4.2 confirm, §4.3 lookup, §4.4 cancel). Kept here,
# not parsed from the reference, so that the test stands on its own.
CONFIRM_CODES = [
    ("ALREADY_PROCESSED_PAYMENT", 400),
    ("PROVIDER_ERROR", 400),
    ("EXCEED_MAX_CARD_INSTALLMENT_PLAN", 400),
    ("INVALID_REQUEST", 400),
    ("NOT_ALLOWED_POINT_USE", 400),
    ("INVALID_API_KEY", 400),
    ("INVALID_REJECT_CARD", 400),
    ("BELOW_MINIMUM_AMOUNT", 400),
    ("INVALID_CARD_EXPIRATION", 400),
    ("INVALID_STOPPED_CARD", 400),
    ("EXCEED_MAX_DAILY_PAYMENT_COUNT", 400),
    ("NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT", 400),
    ("INVALID_CARD_INSTALLMENT_PLAN", 400),
    ("NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN", 400),
    ("EXCEED_MAX_PAYMENT_AMOUNT", 400),
    ("NOT_FOUND_TERMINAL_ID", 400),
    ("INVALID_AUTHORIZE_AUTH", 400),
    ("INVALID_CARD_LOST_OR_STOLEN", 400),
    ("RESTRICTED_TRANSFER_ACCOUNT", 400),
    ("INVALID_CARD_NUMBER", 400),
    ("INVALID_UNREGISTERED_SUBMALL", 400),
    ("NOT_REGISTERED_BUSINESS", 400),
    ("EXCEED_MAX_ONE_DAY_WITHDRAW_AMOUNT", 400),
    ("EXCEED_MAX_ONE_TIME_WITHDRAW_AMOUNT", 400),
    ("CARD_PROCESSING_ERROR", 400),
    ("EXCEED_MAX_AMOUNT", 400),
    ("INVALID_ACCOUNT_INFO_RE_REGISTER", 400),
    ("NOT_AVAILABLE_PAYMENT", 400),
    ("UNAPPROVED_ORDER_ID", 400),
    ("EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT", 400),
    ("UNAUTHORIZED_KEY", 401),
    ("REJECT_ACCOUNT_PAYMENT", 403),
    ("REJECT_CARD_PAYMENT", 403),
    ("REJECT_CARD_COMPANY", 403),
    ("FORBIDDEN_REQUEST", 403),
    ("REJECT_TOSSPAY_INVALID_ACCOUNT", 403),
    ("EXCEED_MAX_AUTH_COUNT", 403),
    ("EXCEED_MAX_ONE_DAY_AMOUNT", 403),
    ("NOT_AVAILABLE_BANK", 403),
    ("INVALID_PASSWORD", 403),
    ("INCORRECT_BASIC_AUTH_FORMAT", 403),
    ("FDS_ERROR", 403),
    ("NOT_FOUND_PAYMENT", 404),
    ("NOT_FOUND_PAYMENT_SESSION", 404),
    ("FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING", 500),
    ("FAILED_INTERNAL_SYSTEM_PROCESSING", 500),
    ("UNKNOWN_PAYMENT_ERROR", 500),
    # listed beside the table, at 400
    ("INVALID_PAYMENT_KEY", 400),
    ("PAY_PROCESS_ABORTED", 400),
]
LOOKUP_CODES = [
    ("NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN_BELOW_AMOUNT", 400),
    ("FORBIDDEN_CONSECUTIVE_REQUEST", 403),
    ("INCORRECT_BASIC_AUTH_FORMAT", 403),
    ("NOT_FOUND_PAYMENT", 404),
    ("NOT_FOUND", 404),
    ("UNAUTHORIZED_KEY", 401),
    ("FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING", 500),
]
CANCEL_CODES = [
    ("ALREADY_CANCELED_PAYMENT", 400),
    ("INVALID_REFUND_ACCOUNT_INFO", 400),
    ("EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT", 400),
    ("INVALID_REQUEST", 400),
    ("INVALID_REFUND_ACCOUNT_NUMBER", 400),
    ("INVALID_BANK", 400),
    ("NOT_MATCHES_REFUNDABLE_AMOUNT", 400),
    ("PROVIDER_ERROR", 400),
    ("REFUND_REJECTED", 400),
    ("ALREADY_REFUND_PAYMENT", 400),
    ("FORBIDDEN_BANK_REFUND_REQUEST", 400),
    ("UNAUTHORIZED_KEY", 401),
    ("NOT_CANCELABLE_AMOUNT", 403),
    ("FORBIDDEN_CONSECUTIVE_REQUEST", 403),
    ("FORBIDDEN_REQUEST", 403),
    ("NOT_CANCELABLE_PAYMENT", 403),
    ("EXCEED_MAX_REFUND_DUE", 403),
    ("NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT", 403),
    ("NOT_ALLOWED_PARTIAL_REFUND", 403),
    ("NOT_AVAILABLE_BANK", 403),
    ("INCORRECT_BASIC_AUTH_FORMAT", 403),
    ("NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER", 403),
    ("EXCEED_CANCEL_LIMIT", 403),
    ("NOT_FOUND_PAYMENT", 404),
    ("FAILED_INTERNAL_SYSTEM_PROCESSING", 500),
    ("FAILED_REFUND_PROCESS", 500),
    ("FAILED_METHOD_HANDLING_CANCEL", 500),
    ("FAILED_PARTIAL_REFUND", 500),
    ("COMMON_ERROR", 500),
    ("FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING", 500),
]
CASES = (
    [("confirm", c, s) for c, s in CONFIRM_CODES]
    + [("lookup", c, s) for c, s in LOOKUP_CODES]
    + [("cancel", c, s) for c, s in CANCEL_CODES]
)


def call(sandbox, endpoint: str, headers: dict):
    if endpoint == "confirm":
        return sandbox.post(
            "/v1/payments/confirm",
            headers=headers,
            json={"paymentKey": "tossp20240101000000anykey", "orderId": "order-123456", "amount": 1000},
        )
    if endpoint == "lookup":
        return sandbox.get("/v1/payments/tossp20240101000000anykey", headers=headers)
    return sandbox.post(
        "/v1/payments/tossp20240101000000anykey/cancel", headers=headers, json={"cancelReason": "고객 요청"}
    )


@pytest.mark.parametrize(("endpoint", "code", "status"), CASES, ids=[f"{e}-{c}" for e, c, _ in CASES])
def test_every_documented_code_answers_at_its_status_with_a_message_in_each_language(
    sandbox, docs_auth, endpoint, code, status
):
    headers = {**docs_auth, "TossPayments-Test-Code": code}
    ko = assert_error(call(sandbox, endpoint, headers), status, code)
    en = assert_error(call(sandbox, endpoint, {**headers, "Accept-Language": "en-US"}), status, code)
    assert HANGUL.search(ko["message"]) and ko["message"] != code, ko
    assert not HANGUL.search(en["message"]) and en["message"] != code, en


def test_duplicated_order_id_is_in_the_catalog(sandbox, docs_auth):
    headers = {**docs_auth, "TossPayments-Test-Code": "DUPLICATED_ORDER_ID"}
    body = assert_error(call(sandbox, "confirm", headers), 400, "DUPLICATED_ORDER_ID")
    assert body["message"] == "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요."


# ---- details of INVALID_REQUEST: in the language the request asked for -----------------------
EN = {"Accept-Language": "en-US"}


def test_missing_confirm_field_is_explained_in_english_when_asked(sandbox, docs_auth):
    body = {"orderId": "order-123456", "amount": 1000}
    en = assert_error(
        sandbox.post("/v1/payments/confirm", headers={**docs_auth, **EN}, json=body), 400, "INVALID_REQUEST"
    )
    ko = assert_error(sandbox.post("/v1/payments/confirm", headers=docs_auth, json=body), 400, "INVALID_REQUEST")
    assert not HANGUL.search(en["message"]), en
    assert "paymentKey" in en["message"] and en["message"] != "Invalid request."
    assert HANGUL.search(ko["message"]) and "paymentKey" in ko["message"]


def test_broken_json_is_explained_in_english_when_asked(sandbox, docs_auth):
    headers = {**docs_auth, **EN, "Content-Type": "application/json"}
    en = assert_error(
        sandbox.post("/v1/payments/confirm", headers=headers, content=b"{not json"), 400, "INVALID_REQUEST"
    )
    assert not HANGUL.search(en["message"]) and "JSON" in en["message"], en


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"cancelReason": ""}, "cancelReason"),
        ({"cancelAmount": "lots"}, "cancelAmount"),
        ({"cancelAmount": 0}, "cancelAmount"),
        ({"currency": "USD"}, "currency"),
    ],
    ids=["empty-reason", "amount-not-number", "zero-amount", "other-currency"],
)
def test_cancel_validation_is_explained_in_english_when_asked(sandbox, docs_auth, extra, field):
    p = paid(sandbox, docs_auth)
    en = assert_error(cancel(sandbox, p["paymentKey"], {**docs_auth, **EN}, **extra), 400, "INVALID_REQUEST")
    ko = assert_error(cancel(sandbox, p["paymentKey"], docs_auth, **extra), 400, "INVALID_REQUEST")
    assert not HANGUL.search(en["message"]) and field in en["message"], en
    assert HANGUL.search(ko["message"]) and field in ko["message"], ko


def test_control_api_validation_is_explained_in_english_when_asked(sandbox):
    r = sandbox.post(
        "/_sandbox/authorize",
        headers=EN,
        json={"clientKey": "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq", "amount": 1000, "orderId": "abc", "orderName": "x"},
    )
    en = assert_error(r, 400, "INVALID_REQUEST")
    assert not HANGUL.search(en["message"]) and "orderId" in en["message"], en
    r = sandbox.post(
        "/_sandbox/faults", headers=EN, json={"path": "/v1/payments/confirm", "times": 0, "errorCode": "PROVIDER_ERROR"}
    )
    en = assert_error(r, 400, "INVALID_REQUEST")
    assert not HANGUL.search(en["message"]) and "times" in en["message"], en


def test_english_details_leave_the_ledger_alone(sandbox, docs_auth):
    auth = authorize(sandbox)
    assert_error(confirm(sandbox, auth, {**docs_auth, **EN}, amount="lots"), 400, "INVALID_REQUEST")
    assert confirm(sandbox, auth, docs_auth).status_code == 200
