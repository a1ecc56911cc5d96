"""What needs an operator, over REST: GET /v1/admin/attention (stuck payments, 거래 대사 drift) and
the list's ``attention=1`` filter, on an API process of its own whose alert threshold is 1 s and
whose 거래 대사 runs every second."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from payapp.sandbox.config import SANDBOX_SECRET_KEY
from tests.conftest import basic
from tests.core.conftest import Shop, _start

ENV = {
    "RECONCILE_ALERT_AFTER_SECONDS": "1",
    "RECONCILE_INTERVAL_SECONDS": "1",
    "TRANSACTIONS_PERIOD_SECONDS": "1",
    "TOSS_TIMEOUT_SECONDS": "1",
    "TOSS_CONFIRM_RETRIES": "0",
}


@pytest.fixture(scope="module")
def alert_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    tmp = tmp_path_factory.mktemp("attention-shop")
    yield from _start("attention", ENV, None, f"sqlite:///{tmp / 'payapp.db'}", tmp)


@pytest.fixture(scope="module")
def seen(alert_shop: Shop) -> Iterator[dict]:
    """A paid order, a stuck one (Toss unreachable for the confirm, our keys refused for every
    lookup, so the reconciler can't settle it) and a payment made at Toss behind the shop's back."""
    shop = alert_shop
    buyer, admin = shop.signup(), shop.admin()
    paid = shop.paid_order(buyer)
    stranger = f"ord_stranger_{uuid.uuid4().hex[:10]}"
    authorized = shop.authorize({"orderId": stranger, "orderName": "모르는 결제", "amount": 1000})
    r = shop.sandbox.post(
        "/v1/payments/confirm",
        headers=basic(SANDBOX_SECRET_KEY),
        json={"paymentKey": authorized["paymentKey"], "orderId": stranger, "amount": 1000},
    )
    assert r.status_code == 200, r.text
    shop.sandbox.post(
        "/_sandbox/faults",
        json={
            "path": "/v1/payments/confirm",
            "method": "POST",
            "forever": True,
            "errorCode": "FAILED_INTERNAL_SYSTEM_PROCESSING",
        },
    ).raise_for_status()
    shop.sandbox.post(
        "/_sandbox/faults",
        json={"path": "/v1/payments/*", "method": "GET", "forever": True, "errorCode": "UNAUTHORIZED_KEY"},
    ).raise_for_status()
    r = shop.confirm(buyer, shop.authorize(shop.prepare(buyer)))
    assert r.status_code == 202, r.text
    stuck = r.json()
    deadline = time.monotonic() + 30
    while True:  # older than the threshold, and 거래 대사 has run since the stranger's payment
        body = shop.http.get("/v1/admin/attention", headers=admin).json()
        if body["stuckCount"] and stranger in {d["orderId"] for d in body["drift"]}:
            break
        assert time.monotonic() < deadline, body
        time.sleep(0.3)
    yield {"shop": shop, "admin": admin, "buyer": buyer, "paid": paid, "stuck": stuck, "stranger": stranger}
    shop.sandbox.delete("/_sandbox/faults").raise_for_status()


def test_attention_counts_stuck_payments_and_lists_unresolved_drift(seen):
    shop, admin = seen["shop"], seen["admin"]
    r = shop.http.get("/v1/admin/attention", headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["stuckCount"] == 1 and body["alertAfterSeconds"] == 1
    drift = [d for d in body["drift"] if d["orderId"] == seen["stranger"]]
    assert len(drift) == 1 and drift[0]["kind"] == "UNKNOWN_PAYMENT" and drift[0]["foundAt"].endswith("+09:00")
    assert drift[0]["detail"]["amount"] == 1000
    assert (
        body["driftCount"]
        == len(body["drift"])
        == len(shop.rows("SELECT id FROM reconcile_drift WHERE resolved_at IS NULL"))
    )


def test_attention_filter_lists_exactly_the_stuck_payments(seen):
    shop, admin, stuck = seen["shop"], seen["admin"], seen["stuck"]
    page = shop.http.get("/v1/admin/payments", params={"attention": "1"}, headers=admin).json()
    assert [row["orderId"] for row in page["data"]] == [stuck["orderId"]] and page["count"] == 1
    assert page["data"][0]["status"] == "IN_PROGRESS" and page["data"][0]["checkedAt"] is None
    assert (
        shop.http.get("/v1/admin/payments", params={"attention": "true", "status": "DONE"}, headers=admin).json()[
            "data"
        ]
        == []
    )
    everything = shop.http.get("/v1/admin/payments", params={"attention": "0"}, headers=admin).json()
    assert {seen["paid"]["orderId"], stuck["orderId"]} <= {row["orderId"] for row in everything["data"]}
    stats = shop.http.get("/v1/admin/stats", params={"attention": "1"}, headers=admin).json()
    assert stats["count"] == 1 and stats["byStatus"]["IN_PROGRESS"] == 1
    csv = shop.http.get("/v1/admin/payments.csv", params={"attention": "1"}, headers=admin)
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(stuck["orderId"] + ",")


def test_attention_filter_is_checked(seen):
    r = seen["shop"].http.get("/v1/admin/payments", params={"attention": "maybe"}, headers=seen["admin"])
    assert r.status_code == 400 and r.json()["code"] == "INVALID_REQUEST"


def test_rows_and_detail_say_when_toss_last_answered(seen):
    shop, admin, paid, stuck = seen["shop"], seen["admin"], seen["paid"], seen["stuck"]
    rows = {r["orderId"]: r for r in shop.http.get("/v1/admin/payments", headers=admin).json()["data"]}
    assert rows[paid["orderId"]]["checkedAt"].endswith("+09:00")
    detail = shop.http.get(f"/v1/admin/payments/{paid['orderId']}", headers=admin).json()
    assert detail["checkedAt"] == rows[paid["orderId"]]["checkedAt"]
    assert shop.http.get(f"/v1/admin/payments/{stuck['orderId']}", headers=admin).json()["checkedAt"] is None


def test_attention_is_for_admins_only(seen):
    shop = seen["shop"]
    assert shop.http.get("/v1/admin/attention").status_code == 401
    assert shop.http.get("/v1/admin/attention", headers=seen["buyer"]).status_code == 403
