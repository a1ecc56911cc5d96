"""POST /v1/payments/confirm: what succeeds, and each refusal at Toss's status and code."""

from __future__ import annotations

import pytest

from tests.sandbox.flow import HANGUL, assert_error, authorize, confirm


def status_of(sandbox, payment_key, headers) -> dict:
    return sandbox.get(f"/v1/payments/{payment_key}", headers=headers).json()


def test_confirm_of_an_authenticated_payment_is_done(sandbox, docs_auth):
    auth = authorize(sandbox)
    r = confirm(sandbox, auth, docs_auth)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "DONE"


def test_confirm_with_another_amount_finds_no_session_and_leaves_the_payment_in_progress(sandbox, docs_auth):
    auth = authorize(sandbox, amount=15000)
    body = assert_error(confirm(sandbox, auth, docs_auth, amount=100), 404, "NOT_FOUND_PAYMENT_SESSION")
    assert "결제창 요청과 다릅니다" in body["message"]  # says why, not only Toss's "session expired"
    assert status_of(sandbox, auth["paymentKey"], docs_auth)["status"] == "IN_PROGRESS"
    # An honest retry with the right amount still works.
    assert confirm(sandbox, auth, docs_auth).status_code == 200


def test_confirm_with_another_order_id_finds_no_session_and_leaves_the_payment_in_progress(sandbox, docs_auth):
    auth = authorize(sandbox)
    assert_error(confirm(sandbox, auth, docs_auth, orderId="someone-elses-order"), 404, "NOT_FOUND_PAYMENT_SESSION")
    assert status_of(sandbox, auth["paymentKey"], docs_auth)["status"] == "IN_PROGRESS"
    assert confirm(sandbox, auth, docs_auth).status_code == 200


def test_second_confirm_is_already_processed(sandbox, docs_auth):
    auth = authorize(sandbox)
    first = confirm(sandbox, auth, docs_auth)
    assert first.status_code == 200
    body = assert_error(confirm(sandbox, auth, docs_auth), 400, "ALREADY_PROCESSED_PAYMENT")
    assert body["message"] == "이미 처리된 결제 입니다."
    assert status_of(sandbox, auth["paymentKey"], docs_auth) == first.json()


def test_confirm_of_unknown_payment_key_is_not_found_payment(sandbox, docs_auth):
    r = sandbox.post(
        "/v1/payments/confirm",
        headers=docs_auth,
        json={"paymentKey": "tossp20240101000000nothere", "orderId": "order-nothere", "amount": 1000},
    )
    assert_error(r, 404, "NOT_FOUND_PAYMENT")


def test_lookup_of_unknown_payment_is_not_found_payment(sandbox, docs_auth):
    assert_error(sandbox.get("/v1/payments/nothere", headers=docs_auth), 404, "NOT_FOUND_PAYMENT")
    assert_error(sandbox.get("/v1/payments/orders/order-nothere", headers=docs_auth), 404, "NOT_FOUND_PAYMENT")


def test_confirm_more_than_ten_minutes_after_authentication_finds_no_session_and_expires(sandbox, docs_auth):
    auth = authorize(sandbox)
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 601}).raise_for_status()
    body = assert_error(confirm(sandbox, auth, docs_auth), 404, "NOT_FOUND_PAYMENT_SESSION")
    assert body["message"] == "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다."
    p = status_of(sandbox, auth["paymentKey"], docs_auth)
    assert p["status"] == "EXPIRED"
    assert p["failure"]["code"] == "EXPIRED_PAYMENT"
    assert p["approvedAt"] is None


def test_confirm_just_inside_ten_minutes_succeeds(sandbox, docs_auth):
    auth = authorize(sandbox)
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 590}).raise_for_status()
    assert confirm(sandbox, auth, docs_auth).status_code == 200


def test_unconfirmed_payment_reads_expired_after_ten_minutes(sandbox, docs_auth):
    auth = authorize(sandbox)
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 601}).raise_for_status()
    assert status_of(sandbox, auth["paymentKey"], docs_auth)["status"] == "EXPIRED"
    assert_error(confirm(sandbox, auth, docs_auth), 404, "NOT_FOUND_PAYMENT_SESSION")


def test_window_left_open_thirty_minutes_expires(sandbox, docs_auth):
    auth = authorize(sandbox, outcome="cancel")  # the buyer backed out: READY
    assert status_of(sandbox, auth["paymentKey"], docs_auth)["status"] == "READY"
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 1801}).raise_for_status()
    assert status_of(sandbox, auth["paymentKey"], docs_auth)["status"] == "EXPIRED"


def test_confirm_of_a_window_the_buyer_left_finds_no_session(sandbox, docs_auth):
    auth = authorize(sandbox, outcome="cancel")
    assert_error(confirm(sandbox, auth, docs_auth), 404, "NOT_FOUND_PAYMENT_SESSION")


def test_confirm_of_a_card_refused_in_the_window_finds_no_session(sandbox, docs_auth):
    # The window's refusal authenticated nothing: READY, never approved, nothing to confirm.
    auth = authorize(sandbox, outcome="reject")
    p = status_of(sandbox, auth["paymentKey"], docs_auth)
    assert p["status"] == "READY" and p["failure"] is None
    assert_error(confirm(sandbox, auth, docs_auth), 404, "NOT_FOUND_PAYMENT_SESSION")


@pytest.mark.parametrize(
    "body",
    [
        {"orderId": "order-123456", "amount": 1000},
        {"paymentKey": "k", "amount": 1000},
        {"paymentKey": "k", "orderId": "order-123456"},
        {"paymentKey": "k", "orderId": "abc", "amount": 1000},
        {"paymentKey": "k", "orderId": "order with spaces", "amount": 1000},
        {"paymentKey": "k", "orderId": "order-123456", "amount": "lots"},
        {"paymentKey": "k", "orderId": "order-123456", "amount": -1},
        {"paymentKey": "k", "orderId": "order-123456", "amount": 10.5},
        {"paymentKey": "k" * 201, "orderId": "order-123456", "amount": 1000},
        {"paymentKey": 12345, "orderId": "order-123456", "amount": 1000},
    ],
    ids=[
        "no-paymentKey",
        "no-orderId",
        "no-amount",
        "short-orderId",
        "bad-orderId-chars",
        "amount-not-number",
        "negative-amount",
        "fractional-amount",
        "paymentKey-too-long",
        "paymentKey-not-string",
    ],
)
def test_missing_or_invalid_confirm_field_is_invalid_request(sandbox, docs_auth, body):
    assert_error(sandbox.post("/v1/payments/confirm", headers=docs_auth, json=body), 400, "INVALID_REQUEST")


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b""], ids=["broken-json", "array", "empty"])
def test_confirm_body_that_is_not_a_json_object_is_invalid_request(sandbox, docs_auth, raw):
    r = sandbox.post("/v1/payments/confirm", headers={**docs_auth, "Content-Type": "application/json"}, content=raw)
    assert_error(r, 400, "INVALID_REQUEST")


def test_invalid_request_leaves_the_payment_untouched(sandbox, docs_auth):
    auth = authorize(sandbox)
    assert_error(confirm(sandbox, auth, docs_auth, amount="lots"), 400, "INVALID_REQUEST")
    assert confirm(sandbox, auth, docs_auth).status_code == 200


def test_errors_are_korean_by_default_and_english_with_accept_language_en_us(sandbox, docs_auth):
    auth = authorize(sandbox)
    confirm(sandbox, auth, docs_auth)
    ko = assert_error(confirm(sandbox, auth, docs_auth), 400, "ALREADY_PROCESSED_PAYMENT")
    en = assert_error(
        confirm(sandbox, auth, {**docs_auth, "Accept-Language": "en-US"}), 400, "ALREADY_PROCESSED_PAYMENT"
    )
    assert HANGUL.search(ko["message"])
    assert not HANGUL.search(en["message"]) and en["message"] != ko["message"]
    assert set(ko) == set(en) == {"code", "message"}


def test_unknown_api_path_is_a_toss_style_not_found(sandbox, docs_auth):
    assert_error(sandbox.get("/v1/nothing-here", headers=docs_auth), 404, "NOT_FOUND")
    en = assert_error(sandbox.get("/v1/nothing-here", headers={"Accept-Language": "en-US"}), 404, "NOT_FOUND")
    assert not HANGUL.search(en["message"])
