"""Accounts and guards of the REST API."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest

from tests.core.conftest import CONFIG_VARS
from tests.support.servers import ROOT, child_env


@pytest.fixture
def api(pg_shop):
    return pg_shop


def test_no_token_is_401_naming_the_bearer_header(api):
    r = api.http.post("/v1/payments/prepare", json={"items": [{"productId": 1, "quantity": 1}]})
    assert r.status_code == 401
    assert "Authorization: Bearer" in r.json()["message"]
    assert r.headers["www-authenticate"] == "Bearer"


def test_garbage_token_is_401(api):
    r = api.http.get("/v1/payments", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401 and r.json()["code"] == "INVALID_TOKEN"


def test_customer_cannot_refund(api):
    buyer = api.signup()
    paid = api.paid_order(buyer)
    r = api.http.post(f"/v1/payments/{paid['orderId']}/cancel", headers=buyer, json={"cancelReason": "환불"})
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
    assert api.payment_row(paid["orderId"])["status"] == "DONE"


def test_a_new_password_ends_the_tokens_issued_before_it(api):
    """Verified tokens are cached per process for TOKEN_CACHE_SECONDS (2 here): a password
    changed by another process (the operators' tool) ends the old token within that time."""
    email = f"pw{uuid.uuid4().hex[:6]}@example.com"
    assert api.http.post("/v1/auth/signup", json={"email": email, "password": "abcd1234"}).status_code == 201
    old = api.login(email, "abcd1234")
    assert api.http.get("/v1/payments", headers=old).status_code == 200  # verified, and now cached
    subprocess.run(
        [sys.executable, "-m", "payapp.users", "create", email, "--password", "efgh5678"],
        cwd=ROOT,
        env=child_env(api.env, CONFIG_VARS),
        check=True,
        capture_output=True,
    )
    deadline = time.monotonic() + 10
    while (r := api.http.get("/v1/payments", headers=old)).status_code == 200:
        assert time.monotonic() < deadline, "the old token still works 10 s after the password changed"
        time.sleep(0.2)
    assert r.status_code == 401 and r.json()["code"] == "INVALID_TOKEN", r.text
    assert api.http.get("/v1/payments", headers=api.login(email, "efgh5678")).status_code == 200


def test_signup_states_the_password_rule(api):
    r = api.http.post("/v1/auth/signup", json={"email": f"x{uuid.uuid4().hex[:6]}@example.com", "password": "short"})
    assert r.status_code == 400
    assert r.json() == {
        "code": "INVALID_PASSWORD",
        "message": "비밀번호는 8자 이상 128자 이하이며 영문자와 숫자를 모두 포함해야 합니다.",
    }


def test_duplicate_email_is_409_and_wrong_password_is_401(api):
    email = f"dup{uuid.uuid4().hex[:6]}@example.com"
    assert api.http.post("/v1/auth/signup", json={"email": email, "password": "abcd1234"}).status_code == 201
    again = api.http.post("/v1/auth/signup", json={"email": email.upper(), "password": "abcd1234"})
    assert again.status_code == 409 and again.json()["code"] == "EMAIL_ALREADY_EXISTS"
    wrong = api.http.post("/v1/auth/token", json={"email": email, "password": "abcd12345"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "INVALID_CREDENTIALS"
    token = api.http.post("/v1/auth/token", json={"email": email, "password": "abcd1234"}).json()
    assert token["tokenType"] == "Bearer" and token["expiresIn"] > 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": [{"productId": "1", "quantity": 1}]},
        {"items": [{"productId": 1, "quantity": 0}]},
        {"items": [{"productId": 1, "quantity": 100}]},
        {"items": [{"productId": 999999, "quantity": 1}]},
        {"items": "x"},
        {"items": [{"productId": 2**63, "quantity": 1}]},
        {"items": [{"productId": -1, "quantity": 1}]},
    ],
)
def test_bad_prepare_input_is_a_4xx_with_code_and_message(api, body):
    buyer = api.signup()
    r = api.http.post("/v1/payments/prepare", headers=buyer, json=body)
    assert 400 <= r.status_code < 500, r.text
    assert set(r.json()) == {"code", "message"}


@pytest.mark.parametrize(
    "body",
    [
        {"paymentKey": "k", "orderId": "ord_x", "amount": 1000},  # orderId too short
        {"paymentKey": "k/../x", "orderId": "ord_abcdef", "amount": 1000},  # not a key
        {"paymentKey": "k", "orderId": "ord_abcdef", "amount": "12a"},
        {"paymentKey": "k", "orderId": "ord_abcdef"},
    ],
)
def test_bad_confirm_input_is_400(api, body):
    buyer = api.signup()
    r = api.http.post("/v1/payments/confirm", headers=buyer, json=body)
    assert r.status_code == 400 and r.json()["code"] == "INVALID_REQUEST", r.text


def test_products_are_public_and_priced_in_won(api):
    products = api.http.get("/v1/products").json()
    assert products["count"] == len(products["data"]) >= 3
    assert all(isinstance(p["price"], int) and p["image"].startswith("/products/") for p in products["data"])


def test_openapi_lists_the_payment_routes(api):
    paths = api.http.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/auth/signup",
        "/v1/auth/token",
        "/v1/products",
        "/v1/payments/prepare",
        "/v1/payments/confirm",
        "/v1/payments",
        "/v1/payments/{orderId}",
        "/v1/payments/{orderId}/cancel",
    ):
        assert path in paths
