"""Webhooks are hints: stored raw, deduplicated, then the payment is re-read at Toss."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from payapp.models import utcnow
from payapp.services.webhooks import prune


def _event(order_id: str, status: str) -> dict:
    return {
        "eventType": "PAYMENT_STATUS_CHANGED",
        "createdAt": "2026-11-26T12:00:00.000000",
        "data": {"orderId": order_id, "status": status, "paymentKey": "forged"},
    }


def test_payment_status_changed_settles_from_toss_not_from_the_body(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", lostResponse=True, forever=True):
        assert shop.confirm(buyer, authorized).status_code == 202
    # A forged body claiming CANCELED changes nothing by itself: Toss says DONE.
    r = shop.http.post(
        "/v1/webhooks/toss",
        json=_event(authorized["orderId"], "CANCELED"),
        headers={"tosspayments-webhook-transmission-id": f"wh_{authorized['orderId']}"},
    )
    assert r.status_code == 200 and r.json() == {"ok": True}
    row = shop.payment_row(authorized["orderId"])
    assert row["status"] == "DONE"
    assert shop.events(authorized["orderId"])[-1]["source"] == "webhook"
    again = shop.http.post(
        "/v1/webhooks/toss",
        json=_event(authorized["orderId"], "CANCELED"),
        headers={"tosspayments-webhook-transmission-id": f"wh_{authorized['orderId']}"},
    )
    assert again.json() == {"ok": True, "duplicate": True}
    assert (
        len(shop.rows("SELECT id FROM webhook_event WHERE transmission_id = :t", t=f"wh_{authorized['orderId']}")) == 1
    )


def test_malformed_webhook_is_400(shop):
    r = shop.http.post("/v1/webhooks/toss", content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_REQUEST"


def toss_reads(shop, payment_key: str) -> int:
    log = shop.sandbox.get("/_sandbox/requests", params={"method": "GET"}).json()["data"]
    return sum(1 for e in log if e["path"] == f"/v1/payments/{payment_key}")


def test_a_flood_about_a_final_payment_costs_one_toss_read_a_minute(pg_shop):
    shop, admin = pg_shop, pg_shop.admin()
    paid = shop.paid_order(shop.signup())
    r = shop.http.post(f"/v1/payments/{paid['orderId']}/cancel", headers=admin, json={"cancelReason": "전액"})
    assert r.status_code == 200 and r.json()["status"] == "CANCELED"
    before = toss_reads(shop, paid["paymentKey"])
    for i in range(20):
        r = shop.http.post(
            "/v1/webhooks/toss",
            json=_event(paid["orderId"], "CANCELED"),
            headers={"tosspayments-webhook-transmission-id": f"flood-{paid['orderId']}-{i}"},
        )
        assert r.status_code == 200
    assert toss_reads(shop, paid["paymentKey"]) - before == 1


def test_a_webhook_for_an_order_we_never_had_costs_no_toss_call(pg_shop):
    shop = pg_shop
    before = len(shop.sandbox.get("/_sandbox/requests").json()["data"])
    r = shop.http.post(
        "/v1/webhooks/toss",
        json=_event("ord_neverheardof", "DONE"),
        headers={"tosspayments-webhook-transmission-id": "wh-unknown-order-1"},
    )
    assert r.status_code == 200
    assert len(shop.sandbox.get("/_sandbox/requests").json()["data"]) == before
    [row] = shop.rows("SELECT error FROM webhook_event WHERE transmission_id = 'wh-unknown-order-1'")
    assert row["error"] == "unknown orderId"


def test_stored_webhook_events_are_pruned_after_the_retention_period(pg_shop):
    shop = pg_shop
    shop.http.post(
        "/v1/webhooks/toss",
        json=_event("ord_neverheardof", "DONE"),
        headers={"tosspayments-webhook-transmission-id": "wh-old-1"},
    )
    shop.http.post(
        "/v1/webhooks/toss",
        json=_event("ord_neverheardof", "DONE"),
        headers={"tosspayments-webhook-transmission-id": "wh-new-1"},
    )
    with shop.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE webhook_event SET received_at = now() - interval '31 days' WHERE transmission_id = 'wh-old-1'"
        )
    with Session(shop.engine) as session:
        assert prune(session, utcnow() - timedelta(days=30)) >= 1
    left = {
        r["transmission_id"]
        for r in shop.rows(
            "SELECT transmission_id FROM webhook_event WHERE transmission_id IN ('wh-old-1', 'wh-new-1')"
        )
    }
    assert left == {"wh-new-1"}
