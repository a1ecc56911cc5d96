"""Hostile input gets a 4xx ``{code, message}`` and changes nothing; never a 500."""

from __future__ import annotations

import socket

import pytest

HUGE = "9" * 5000
NUL = "\x00"


def cases(shop, buyer: dict, admin: dict, order: dict) -> dict[str, tuple]:
    confirm = {"paymentKey": order["paymentKey"], "orderId": order["orderId"]}
    return {
        "superscript amount": ("POST", "/v1/payments/confirm", buyer, {"json": {**confirm, "amount": "²"}}),
        "full-width amount": ("POST", "/v1/payments/confirm", buyer, {"json": {**confirm, "amount": "１２"}}),
        "5,000-digit amount string": ("POST", "/v1/payments/confirm", buyer, {"json": {**confirm, "amount": HUGE}}),
        "5,000-digit amount number": ("POST", "/v1/payments/confirm", buyer, {
            "content": f'{{"paymentKey": "{order["paymentKey"]}", "orderId": "{order["orderId"]}", "amount": {HUGE}}}',
            "headers": {"content-type": "application/json"}}),
        "13-digit amount": ("POST", "/v1/payments/confirm", buyer, {"json": {**confirm, "amount": 10**12}}),
        "NUL in the login email": ("POST", "/v1/auth/token", None, {"json": {"email": f"a{NUL}@b.co", "password": "x"}}),
        "NUL in the sign-up email": ("POST", "/v1/auth/signup", None, {
            "json": {"email": f"a{NUL}@b.co", "password": "passw0rd!"}}),
        "NUL in an orderId path": ("GET", "/v1/payments/ord%00abcdef", buyer, {}),
        "NUL in an admin orderId path": ("GET", "/v1/admin/payments/ord%00abcdef", admin, {}),
        "NUL in a refund's orderId path": ("POST", "/v1/payments/ord%00abcdef/cancel", admin, {
            "json": {"cancelReason": "x"}}),
        "NUL in a webhook's orderId": ("POST", "/v1/webhooks/toss", None, {"json": {
            "eventType": "PAYMENT_STATUS_CHANGED", "data": {"orderId": f"ord{NUL}abcdef", "status": "DONE"}}}),
        "500-character transmission id": ("POST", "/v1/webhooks/toss", None, {
            "json": {"eventType": "PAYMENT_STATUS_CHANGED"}, "headers": {"tosspayments-webhook-transmission-id": "t" * 500}}),
        "8 MiB webhook body": ("POST", "/v1/webhooks/toss", None, {
            "content": b'{"x": "' + b"a" * (8 * 1024 * 1024) + b'"}', "headers": {"content-type": "application/json"}}),
        "2 MiB prepare body": ("POST", "/v1/payments/prepare", buyer, {
            "content": b'{"items": [], "x": "' + b"a" * (2 * 1024 * 1024) + b'"}',
            "headers": {"content-type": "application/json"}}),
        "a megabyte password": ("POST", "/v1/auth/token", None, {"json": {"email": "a@b.co", "password": "p" * 900_000}}),
        "admin from=0001-01-01": ("GET", "/v1/admin/payments", admin, {"params": {"from": "0001-01-01"}}),
        "admin to=9999-12-31": ("GET", "/v1/admin/payments", admin, {"params": {"to": "9999-12-31"}}),
        "admin stats over 10,000 years": ("GET", "/v1/admin/stats", admin, {
            "params": {"from": "0001-01-01", "to": "9999-12-31"}}),
        "refund of 13 digits": ("POST", f"/v1/payments/{order['orderId']}/cancel", admin, {
            "json": {"cancelReason": "x", "cancelAmount": 10**12}}),
        "5,000-character refund reason": ("POST", f"/v1/payments/{order['orderId']}/cancel", admin, {
            "json": {"cancelReason": "x" * 5000}}),
    }




@pytest.fixture(scope="module")
def setting(pg_shop):
    shop = pg_shop
    buyer, admin = shop.signup(), shop.admin()
    order = shop.authorize(shop.prepare(buyer))
    return shop, buyer, admin, order


NAMES = ["superscript amount", "full-width amount", "5,000-digit amount string", "5,000-digit amount number",
         "13-digit amount", "NUL in the login email", "NUL in the sign-up email", "NUL in an orderId path",
         "NUL in an admin orderId path", "NUL in a refund's orderId path", "NUL in a webhook's orderId",
         "500-character transmission id", "8 MiB webhook body", "2 MiB prepare body",
         "a megabyte password", "admin from=0001-01-01", "admin to=9999-12-31", "admin stats over 10,000 years",
         "refund of 13 digits", "5,000-character refund reason"]


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
        conn.sendall(b"POST /v1/payments/prepare HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: " + buyer["Authorization"].encode() + b"\r\n"
                     b"Content-Length: " + str(2**30).encode() + b"\r\n\r\n{}")
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


def test_hostile_input_changed_nothing(setting):
    shop, buyer, admin, order = setting
    assert shop.rows("SELECT id FROM payment WHERE order_id = :o", o=order["orderId"]) == []
    assert shop.toss_confirms(order["orderId"]) == []
    honest = shop.confirm(buyer, order)  # the real buyer can still pay
    assert honest.status_code == 200 and honest.json()["status"] == "DONE", honest.text
