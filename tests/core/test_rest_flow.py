"""The whole REST flow against the sandbox, on PostgreSQL and on the embedded defaults."""

from __future__ import annotations

from datetime import datetime


def test_token_prepare_authorize_confirm_get_partial_cancel_cancel_rest(shop):
    buyer, admin = shop.signup(), shop.admin()
    product = shop.products()[0]
    order = shop.prepare(buyer, [{"productId": product["id"], "quantity": 3}])
    assert order["amount"] == product["price"] * 3
    assert order["orderName"] == product["name"]

    authorized = shop.authorize(order)
    r = shop.confirm(buyer, authorized)
    assert r.status_code == 200, r.text
    paid = r.json()
    assert paid["status"] == "DONE" and paid["pending"] is False
    assert paid["amount"] == paid["balanceAmount"] == order["amount"]
    assert paid["method"] == "카드"
    assert datetime.fromisoformat(paid["approvedAt"]).tzinfo is not None

    got = shop.http.get(f"/v1/payments/{order['orderId']}", headers=buyer).json()
    assert got["status"] == "DONE" and got["paymentKey"] == authorized["paymentKey"]
    mine = shop.http.get("/v1/payments", headers=buyer).json()
    assert [p["orderId"] for p in mine["data"]] == [order["orderId"]]

    part = 1000
    r = shop.http.post(
        f"/v1/payments/{order['orderId']}/cancel",
        headers=admin,
        json={"cancelReason": "부분 환불", "cancelAmount": part},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "PARTIAL_CANCELED"
    assert r.json()["balanceAmount"] == order["amount"] - part

    r = shop.http.post(f"/v1/payments/{order['orderId']}/cancel", headers=admin, json={"cancelReason": "나머지 환불"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["balanceAmount"]) == ("CANCELED", 0)

    toss = shop.sandbox.get("/_sandbox/payments", params={"orderId": order["orderId"]}).json()["data"][0]
    assert toss["status"] == "CANCELED"
    assert [c["cancelAmount"] for c in toss["cancels"]] == [part, order["amount"] - part]

    row = shop.payment_row(order["orderId"])
    assert (row["status"], row["balance_amount"], row["amount"]) == ("CANCELED", 0, order["amount"])
    moves = [(e["from_status"], e["to_status"], e["source"]) for e in shop.events(order["orderId"])]
    assert moves == [
        (None, "IN_PROGRESS", "confirm"),
        ("IN_PROGRESS", "DONE", "confirm"),
        ("DONE", "PARTIAL_CANCELED", "cancel"),
        ("PARTIAL_CANCELED", "CANCELED", "cancel"),
    ]


def test_order_name_counts_the_other_lines(shop):
    buyer = shop.signup()
    a, b, c = shop.products()[:3]
    order = shop.prepare(
        buyer,
        [
            {"productId": a["id"], "quantity": 1},
            {"productId": b["id"], "quantity": 2},
            {"productId": c["id"], "quantity": 1},
        ],
    )
    assert order["orderName"] == f"{a['name']} 외 2건"
    assert order["amount"] == a["price"] + 2 * b["price"] + c["price"]
