"""Webhooks are hints: stored raw, deduplicated, then the payment is re-read at Toss."""

from __future__ import annotations


def _event(order_id: str, status: str) -> dict:
    return {"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-26T12:00:00.000000",
            "data": {"orderId": order_id, "status": status, "paymentKey": "forged"}}


def test_payment_status_changed_settles_from_toss_not_from_the_body(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", lostResponse=True, forever=True):
        assert shop.confirm(buyer, authorized).status_code == 202
    # A forged body claiming CANCELED changes nothing by itself: Toss says DONE.
    r = shop.http.post("/v1/webhooks/toss", json=_event(authorized["orderId"], "CANCELED"),
                       headers={"tosspayments-webhook-transmission-id": f"wh_{authorized['orderId']}"})
    assert r.status_code == 200 and r.json() == {"ok": True}
    row = shop.payment_row(authorized["orderId"])
    assert row["status"] == "DONE"
    assert shop.events(authorized["orderId"])[-1]["source"] == "webhook"
    again = shop.http.post("/v1/webhooks/toss", json=_event(authorized["orderId"], "CANCELED"),
                           headers={"tosspayments-webhook-transmission-id": f"wh_{authorized['orderId']}"})
    assert again.json() == {"ok": True, "duplicate": True}
    assert len(shop.rows("SELECT id FROM webhook_event WHERE transmission_id = :t",
                         t=f"wh_{authorized['orderId']}")) == 1


def test_malformed_webhook_is_400(shop):
    r = shop.http.post("/v1/webhooks/toss", content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_REQUEST"
