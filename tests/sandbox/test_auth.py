"""Basic auth exactly as Toss parses it, and key pairs that do not see each other's payments."""

from __future__ import annotations

import base64

import httpx
import pytest

from payapp.sandbox import KeyPair, SandboxConfig, create_app
from tests.conftest import DOCS_SECRET_KEY, SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY, basic
from tests.sandbox.flow import HANGUL, assert_error, authorize, cancel, confirm, paid, run_async


def test_docs_pair_secret_key_is_accepted(sandbox, docs_auth):
    assert confirm(sandbox, authorize(sandbox), docs_auth).status_code == 200


def test_sandbox_pair_secret_key_is_accepted(sandbox, sandbox_auth):
    auth = authorize(sandbox, client_key=SANDBOX_CLIENT_KEY)
    r = confirm(sandbox, auth, sandbox_auth)
    assert r.status_code == 200, r.text
    assert r.json()["mId"] == "tpayappsbx"


def test_docs_header_value_from_the_documentation_is_accepted(sandbox):
    # The value the docs print for test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R + ":".
    headers = {"Authorization": "Basic dGVzdF9za196WExrS0V5cE5BcldtbzUwblgzbG1lYXhZRzVSOg=="}
    assert confirm(sandbox, authorize(sandbox), headers).status_code == 200


def test_unknown_secret_key_is_unauthorized_key(sandbox):
    r = sandbox.get("/v1/payments/nope", headers=basic("test_sk_notAKeyTheSandboxKnows000"))
    body = assert_error(r, 401, "UNAUTHORIZED_KEY")
    assert body["message"] == "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."


def test_client_key_used_as_secret_key_is_unauthorized_key(sandbox):
    from tests.conftest import DOCS_CLIENT_KEY

    assert_error(sandbox.get("/v1/payments/nope", headers=basic(DOCS_CLIENT_KEY)), 401, "UNAUTHORIZED_KEY")


def test_missing_authorization_is_unauthorized_key(sandbox):
    auth = authorize(sandbox)
    assert_error(confirm(sandbox, auth, {}), 401, "UNAUTHORIZED_KEY")


@pytest.mark.parametrize(
    "value",
    [
        "Basic " + base64.b64encode(DOCS_SECRET_KEY.encode()).decode(),  # the colon forgotten
        "Bearer " + base64.b64encode(f"{DOCS_SECRET_KEY}:".encode()).decode(),  # not Basic
        "Basic",  # no value
        "Basic %%%not-base64%%%",
        "Basic " + base64.b64encode(b"\xef\xbb\xbf\xff\xfe").decode(),  # not UTF-8
        DOCS_SECRET_KEY,  # the raw key, no scheme
    ],
    ids=["no-colon", "bearer", "empty", "not-base64", "not-utf8", "raw-key"],
)
def test_malformed_header_is_incorrect_basic_auth_format(sandbox, value):
    r = sandbox.get("/v1/payments/nope", headers={"Authorization": value})
    assert_error(r, 403, "INCORRECT_BASIC_AUTH_FORMAT")


def test_unpadded_base64_is_accepted(sandbox):
    value = base64.b64encode(f"{DOCS_SECRET_KEY}:".encode()).decode().rstrip("=")
    assert value != base64.b64encode(f"{DOCS_SECRET_KEY}:".encode()).decode()
    r = confirm(sandbox, authorize(sandbox), {"Authorization": "Basic " + value})
    assert r.status_code == 200, r.text


def test_auth_failure_is_in_english_with_accept_language_en(sandbox):
    r = sandbox.get("/v1/payments/nope", headers={**basic("test_sk_unknown0000"), "Accept-Language": "en-US"})
    body = assert_error(r, 401, "UNAUTHORIZED_KEY")
    assert not HANGUL.search(body["message"])


def test_authorize_with_unknown_client_key_is_unauthorized_key(sandbox):
    r = sandbox.post(
        "/_sandbox/authorize",
        json={"clientKey": "test_ck_unknown000000", "amount": 1000, "orderId": "order-unknown-key", "orderName": "x"},
    )
    assert_error(r, 401, "UNAUTHORIZED_KEY")


def test_payment_of_one_pair_is_not_found_with_the_other_pairs_secret_key(sandbox, docs_auth, sandbox_auth):
    auth = authorize(sandbox)  # opened with the docs client key
    assert_error(confirm(sandbox, auth, sandbox_auth), 404, "NOT_FOUND_PAYMENT")
    assert_error(sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=sandbox_auth), 404, "NOT_FOUND_PAYMENT")
    assert_error(sandbox.get(f"/v1/payments/orders/{auth['orderId']}", headers=sandbox_auth), 404, "NOT_FOUND_PAYMENT")
    # The refusal changed nothing: the right key still confirms it.
    assert confirm(sandbox, auth, docs_auth).status_code == 200


def test_cancel_with_the_other_pairs_secret_key_is_not_found_payment(sandbox, docs_auth, sandbox_auth):
    payment = paid(sandbox, docs_auth)
    assert_error(cancel(sandbox, payment["paymentKey"], sandbox_auth), 404, "NOT_FOUND_PAYMENT")
    got = sandbox.get(f"/v1/payments/{payment['paymentKey']}", headers=docs_auth).json()
    assert got["status"] == "DONE"


def test_same_order_id_under_two_pairs_is_two_payments(sandbox, docs_auth, sandbox_auth):
    first = authorize(sandbox)
    second = authorize(sandbox, client_key=SANDBOX_CLIENT_KEY, orderId=first["orderId"])
    assert confirm(sandbox, first, docs_auth).status_code == 200
    assert confirm(sandbox, second, sandbox_auth).status_code == 200
    by_docs = sandbox.get(f"/v1/payments/orders/{first['orderId']}", headers=docs_auth).json()
    by_sbx = sandbox.get(f"/v1/payments/orders/{first['orderId']}", headers=sandbox_auth).json()
    assert (by_docs["paymentKey"], by_sbx["paymentKey"]) == (first["paymentKey"], second["paymentKey"])


def test_configured_key_pairs_replace_the_default_set():
    run_async(_configured_key_pairs_replace_the_default_set())


async def _configured_key_pairs_replace_the_default_set() -> None:
    pair = KeyPair("test_ck_shopA0000000000000", "test_sk_shopA0000000000000", "shopa")
    app = create_app(SandboxConfig(key_pairs=(pair,)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
        r = await c.post(
            "/_sandbox/authorize",
            json={"clientKey": pair.client_key, "amount": 5000, "orderId": "order-shop-a-1", "orderName": "x"},
        )
        auth = r.json()
        ok = await c.post(
            "/v1/payments/confirm",
            headers=basic(pair.secret_key),
            json={"paymentKey": auth["paymentKey"], "orderId": auth["orderId"], "amount": 5000},
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["mId"] == "shopa"
        r = await c.get(f"/v1/payments/{auth['paymentKey']}", headers=basic(SANDBOX_SECRET_KEY))
        assert_error(r, 401, "UNAUTHORIZED_KEY")
