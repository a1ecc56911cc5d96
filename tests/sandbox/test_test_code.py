"""TossPayments-Test-Code: with a test key, the API answers with that documented error."""

from __future__ import annotations

import httpx
import pytest

from payapp.sandbox import KeyPair, SandboxConfig, create_app
from tests.conftest import basic
from tests.sandbox.flow import HANGUL, assert_error, authorize, cancel, confirm, paid, run_async


def code(headers: dict, value: str) -> dict:
    return {**headers, "TossPayments-Test-Code": value}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("REJECT_CARD_COMPANY", 403),
        ("PROVIDER_ERROR", 400),
        ("INVALID_CARD_NUMBER", 400),
        ("NOT_FOUND_PAYMENT_SESSION", 404),
        ("FAILED_INTERNAL_SYSTEM_PROCESSING", 500),
        ("UNKNOWN_PAYMENT_ERROR", 500),
    ],
)
def test_test_code_on_confirm_returns_that_error_at_its_status(sandbox, docs_auth, error, status):
    auth = authorize(sandbox)
    assert_error(confirm(sandbox, auth, code(docs_auth, error)), status, error)


def test_test_code_changes_nothing_so_a_plain_retry_confirms(sandbox, docs_auth):
    auth = authorize(sandbox)
    assert_error(confirm(sandbox, auth, code(docs_auth, "REJECT_CARD_PAYMENT")), 403, "REJECT_CARD_PAYMENT")
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()["status"] == "IN_PROGRESS"
    assert confirm(sandbox, auth, docs_auth).status_code == 200


def test_test_code_on_cancel_returns_that_error(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    assert_error(
        cancel(sandbox, p["paymentKey"], code(docs_auth, "FAILED_REFUND_PROCESS")), 500, "FAILED_REFUND_PROCESS"
    )
    assert sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()["status"] == "DONE"


def test_test_code_on_lookup_returns_that_error(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    r = sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=code(docs_auth, "FORBIDDEN_CONSECUTIVE_REQUEST"))
    assert_error(r, 403, "FORBIDDEN_CONSECUTIVE_REQUEST")


def test_test_code_message_is_korean_or_english_like_any_error(sandbox, docs_auth):
    auth = authorize(sandbox)
    ko = assert_error(confirm(sandbox, auth, code(docs_auth, "REJECT_CARD_COMPANY")), 403, "REJECT_CARD_COMPANY")
    en = assert_error(
        confirm(sandbox, auth, {**code(docs_auth, "REJECT_CARD_COMPANY"), "Accept-Language": "en-US"}),
        403,
        "REJECT_CARD_COMPANY",
    )
    assert ko["message"] == "결제 승인이 거절되었습니다."
    assert HANGUL.search(ko["message"]) and not HANGUL.search(en["message"])


def test_test_code_does_not_bypass_authentication(sandbox):
    r = sandbox.get("/v1/payments/x", headers=code(basic("test_sk_unknown00000"), "PROVIDER_ERROR"))
    assert_error(r, 401, "UNAUTHORIZED_KEY")


def test_test_code_outside_the_catalog_is_answered_with_400(sandbox, docs_auth):
    auth = authorize(sandbox)
    assert_error(confirm(sandbox, auth, code(docs_auth, "SOME_NEW_CODE")), 400, "SOME_NEW_CODE")


def test_test_code_is_logged_with_the_error_it_produced(sandbox, docs_auth):
    confirm(sandbox, authorize(sandbox), code(docs_auth, "PROVIDER_ERROR"))
    [entry] = sandbox.get("/_sandbox/requests", params={"path": "/v1/payments/confirm"}).json()["data"]
    assert (entry["status"], entry["code"]) == (400, "PROVIDER_ERROR")


def test_test_code_is_ignored_with_a_live_key():
    run_async(_test_code_is_ignored_with_a_live_key())


async def _test_code_is_ignored_with_a_live_key() -> None:
    live = KeyPair("live_ck_shop000000000000", "live_sk_shop000000000000", "liveshop")
    app = create_app(SandboxConfig(key_pairs=(live,)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
        auth = (
            await c.post(
                "/_sandbox/authorize",
                json={"clientKey": live.client_key, "amount": 1000, "orderId": "order-live-1", "orderName": "x"},
            )
        ).json()
        r = await c.post(
            "/v1/payments/confirm",
            headers={**basic(live.secret_key), "TossPayments-Test-Code": "REJECT_CARD_COMPANY"},
            json={"paymentKey": auth["paymentKey"], "orderId": "order-live-1", "amount": 1000},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "DONE"
