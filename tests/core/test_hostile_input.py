"""Hostile input gets a 4xx ``{code, message}`` and changes nothing; never a 500."""

from __future__ import annotations

import base64
import socket

import pytest

HUGE = "9" * 5000
NUL = "\x00"
# A well-formed admin list cursor whose payment id is past PostgreSQL's integer: "1700000000000000.2147483648".
FORGED_CURSOR = base64.urlsafe_b64encode(b"1700000000000000.2147483648").decode().rstrip("=")


def cases(shop, buyer: dict, admin: dict, order: dict) -> dict[str, tuple]:
    confirm = {"paymentKey": order["paymentKey"], "orderId": order["orderId"]}
    return {
        "superscript amount": ("POST", "/v1/payments/confirm", buyer, {"json": {**confirm, "amount": "²"}}),
        "full-width amount": ("POST", "/v1/payments/confirm", buyer, {"json": {**confirm, "amount": "１２"}}),
        "5,000-digit amount string": ("POST", "/v1/payments/confirm", buyer, {"json": {**confirm, "amount": HUGE}}),
        "5,000-digit amount number": (
            "POST",
            "/v1/payments/confirm",
            buyer,
            {
                "content": f'{{"paymentKey": "{order["paymentKey"]}", "orderId": "{order["orderId"]}", "amount": {HUGE}}}',
                "headers": {"content-type": "application/json"},
            },
        ),
        "13-digit amount": ("POST", "/v1/payments/confirm", buyer, {"json": {**confirm, "amount": 10**12}}),
        "NUL in the login email": (
            "POST",
            "/v1/auth/token",
            None,
            {"json": {"email": f"a{NUL}@b.co", "password": "x"}},
        ),
        "NUL in the sign-up email": (
            "POST",
            "/v1/auth/signup",
            None,
            {"json": {"email": f"a{NUL}@b.co", "password": "passw0rd!"}},
        ),
        "NUL in an orderId path": ("GET", "/v1/payments/ord%00abcdef", buyer, {}),
        "NUL in an admin orderId path": ("GET", "/v1/admin/payments/ord%00abcdef", admin, {}),
        "NUL in a refund's orderId path": (
            "POST",
            "/v1/payments/ord%00abcdef/cancel",
            admin,
            {"json": {"cancelReason": "x"}},
        ),
        "NUL in a webhook's orderId": (
            "POST",
            "/v1/webhooks/toss",
            None,
            {"json": {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"orderId": f"ord{NUL}abcdef", "status": "DONE"}}},
        ),
        "500-character transmission id": (
            "POST",
            "/v1/webhooks/toss",
            None,
            {
                "json": {"eventType": "PAYMENT_STATUS_CHANGED"},
                "headers": {"tosspayments-webhook-transmission-id": "t" * 500},
            },
        ),
        "8 MiB webhook body": (
            "POST",
            "/v1/webhooks/toss",
            None,
            {"content": b'{"x": "' + b"a" * (8 * 1024 * 1024) + b'"}', "headers": {"content-type": "application/json"}},
        ),
        "2 MiB prepare body": (
            "POST",
            "/v1/payments/prepare",
            buyer,
            {
                "content": b'{"items": [], "x": "' + b"a" * (2 * 1024 * 1024) + b'"}',
                "headers": {"content-type": "application/json"},
            },
        ),
        "a megabyte password": (
            "POST",
            "/v1/auth/token",
            None,
            {"json": {"email": "a@b.co", "password": "p" * 900_000}},
        ),
        "admin from=0001-01-01": ("GET", "/v1/admin/payments", admin, {"params": {"from": "0001-01-01"}}),
        "admin to=9999-12-31": ("GET", "/v1/admin/payments", admin, {"params": {"to": "9999-12-31"}}),
        "admin stats over 10,000 years": (
            "GET",
            "/v1/admin/stats",
            admin,
            {"params": {"from": "0001-01-01", "to": "9999-12-31"}},
        ),
        "refund of 13 digits": (
            "POST",
            f"/v1/payments/{order['orderId']}/cancel",
            admin,
            {"json": {"cancelReason": "x", "cancelAmount": 10**12}},
        ),
        "5,000-character refund reason": (
            "POST",
            f"/v1/payments/{order['orderId']}/cancel",
            admin,
            {"json": {"cancelReason": "x" * 5000}},
        ),
        # Found by tests/fuzz (schemathesis) or while wiring it: each was a 500 before.
        "NUL in the admin search": ("GET", "/v1/admin/payments", admin, {"params": {"q": f"a{NUL}"}}),
        "NUL in the admin stats search": ("GET", "/v1/admin/stats", admin, {"params": {"q": NUL}}),
        "NUL in the CSV search": ("GET", "/v1/admin/payments.csv", admin, {"params": {"q": NUL}}),
        "a cursor forged past the id range": (
            "GET",
            "/v1/admin/payments",
            admin,
            {"params": {"cursor": FORGED_CURSOR}},
        ),
        "a 500-character webhook eventType": (
            "POST",
            "/v1/webhooks/toss",
            None,
            {"json": {"eventType": "E" * 500, "data": {"orderId": order["orderId"]}}},
        ),
    }


@pytest.fixture(scope="module")
def setting(pg_shop):
    shop = pg_shop
    buyer, admin = shop.signup(), shop.admin()
    order = shop.authorize(shop.prepare(buyer))
    return shop, buyer, admin, order


NAMES = [
    "superscript amount",
    "full-width amount",
    "5,000-digit amount string",
    "5,000-digit amount number",
    "13-digit amount",
    "NUL in the login email",
    "NUL in the sign-up email",
    "NUL in an orderId path",
    "NUL in an admin orderId path",
    "NUL in a refund's orderId path",
    "NUL in a webhook's orderId",
    "500-character transmission id",
    "8 MiB webhook body",
    "2 MiB prepare body",
    "a megabyte password",
    "admin from=0001-01-01",
    "admin to=9999-12-31",
    "admin stats over 10,000 years",
    "refund of 13 digits",
    "5,000-character refund reason",
    "NUL in the admin search",
    "NUL in the admin stats search",
    "NUL in the CSV search",
    "a cursor forged past the id range",
    "a 500-character webhook eventType",
]


@pytest.mark.parametrize("name", NAMES)
def test_hostile_input_is_a_4xx_with_code_and_message(setting, name):
    shop, buyer, admin, order = setting
    method, path, auth, kwargs = cases(shop, buyer, admin, order)[name]
    headers = {**(auth or {}), **kwargs.pop("headers", {})}
    r = shop.http.request(method, path, headers=headers, **kwargs)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    body = r.json()
    assert body["code"] and body["message"], body


def test_a_declared_gigabyte_is_refused_before_it_is_read(setting):
    shop, buyer, _admin, _order = setting
    host, port = shop.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /v1/payments/prepare HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: " + buyer["Authorization"].encode() + b"\r\n"
            b"Content-Length: " + str(2**30).encode() + b"\r\n\r\n{}"
        )
        status_line = conn.recv(4096).split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), status_line


def test_a_long_range_lists_every_row_and_charts_at_most_366_days(setting):
    shop, buyer, admin, _order = setting
    shop.paid_order(buyer)
    params = {"from": "2000-01-01", "to": "2099-12-31"}
    listed = shop.http.get("/v1/admin/payments", headers=admin, params=params)
    assert listed.status_code == 200 and listed.json()["count"] >= 1, listed.text
    stats = shop.http.get("/v1/admin/stats", headers=admin, params=params).json()
    assert len(stats["daily"]) == 366 and stats["dailyTruncated"] is True
    assert stats["daily"][-1]["date"] == "2099-12-31"


def test_a_nul_in_a_refund_reason_is_a_400_and_refunds_nothing(setting):
    shop, buyer, admin, _order = setting
    paid = shop.paid_order(buyer)
    r = shop.http.post(
        f"/v1/payments/{paid['orderId']}/cancel",
        headers=admin,
        json={"cancelReason": f"환불{NUL}사유", "cancelAmount": 1000},
    )
    assert r.status_code == 400 and r.json()["code"] == "INVALID_REQUEST", r.text
    row = shop.payment_row(paid["orderId"])
    assert (row["status"], row["balance_amount"]) == ("DONE", paid["amount"])
    assert shop.rows("SELECT id FROM refund WHERE payment_id = :p", p=row["id"]) == []


def test_hostile_input_changed_nothing(setting):
    shop, buyer, admin, order = setting
    assert shop.rows("SELECT id FROM payment WHERE order_id = :o", o=order["orderId"]) == []
    assert shop.toss_confirms(order["orderId"]) == []
    honest = shop.confirm(buyer, order)  # the real buyer can still pay
    assert honest.status_code == 200 and honest.json()["status"] == "DONE", honest.text
