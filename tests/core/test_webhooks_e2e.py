"""End to end: a refund made at Toss (the sandbox), not through payapp, reaches payapp by webhook."""

from __future__ import annotations

import time

from payapp.sandbox.config import SANDBOX_SECRET_KEY
from tests.conftest import basic


def test_refund_at_toss_reaches_payapp_by_webhook(pg_shop):
    shop = pg_shop
    buyer = shop.signup()
    paid = shop.paid_order(buyer)
    order_id = paid["orderId"]
    r = shop.sandbox.post("/_sandbox/webhooks", json={"url": f"{shop.url}/v1/webhooks/toss"})
    assert r.status_code == 201, r.text
    try:
        [payment] = shop.sandbox.get("/_sandbox/payments", params={"orderId": order_id}).json()["data"]
        # The operator refunds in Toss's dashboard: payapp is not asked.
        r = shop.sandbox.post(
            f"/v1/payments/{payment['paymentKey']}/cancel",
            headers=basic(SANDBOX_SECRET_KEY),
            json={"cancelReason": "대시보드에서 환불"},
        )
        assert r.status_code == 200 and r.json()["status"] == "CANCELED", r.text
        shop.sandbox.post("/_sandbox/webhooks/flush").raise_for_status()  # the delivery has been answered
        deliveries = shop.sandbox.get("/_sandbox/webhooks/deliveries", params={"orderId": order_id}).json()["data"]
        [sent] = [d for d in deliveries if d["paymentStatus"] == "CANCELED"]
        assert sent["status"] == 200, sent
        deadline = time.monotonic() + 10
        while shop.payment_row(order_id)["status"] != "CANCELED":
            assert time.monotonic() < deadline, shop.payment_row(order_id)
            time.sleep(0.05)
        row = shop.payment_row(order_id)
        assert row["balance_amount"] == 0
        assert shop.events(order_id)[-1]["source"] == "webhook"
        [stored] = shop.rows("SELECT * FROM webhook_event WHERE transmission_id = :t", t=sent["transmissionId"])
        assert stored["event_type"] == "PAYMENT_STATUS_CHANGED" and stored["processed"]
        assert stored["body"]["data"]["status"] == "CANCELED"
    finally:
        shop.sandbox.delete("/_sandbox/webhooks").raise_for_status()
