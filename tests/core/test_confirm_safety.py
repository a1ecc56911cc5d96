"""Confirm never charges twice, never trusts the client's amount, never loses a charge."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx
import redis

from tests.core.conftest import _start


def test_twenty_concurrent_confirms_charge_once(pg_shop):
    shop = pg_shop
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    body = {k: authorized[k] for k in ("paymentKey", "orderId", "amount")}

    async def fire() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=shop.url, headers=buyer, timeout=30) as client:
            return await asyncio.gather(*[client.post("/v1/payments/confirm", json=body) for _ in range(20)])

    responses = asyncio.run(fire())
    assert all(r.status_code in (200, 202) for r in responses), [(r.status_code, r.text) for r in responses]
    payloads = [r.json() for r in responses]
    assert all(p["orderId"] == authorized["orderId"] and p["amount"] == authorized["amount"] for p in payloads)
    assert all(p["status"] == "DONE" or (p["pending"] and p["status"] == "IN_PROGRESS") for p in payloads)
    assert sum(p["status"] == "DONE" for p in payloads) >= 1
    assert len(shop.toss_confirms(authorized["orderId"])) == 1
    assert shop.payment_row(authorized["orderId"])["status"] == "DONE"


def test_confirm_again_after_success_returns_same_payment_without_calling_toss(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    first = shop.confirm(buyer, authorized)
    again = shop.confirm(buyer, authorized)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(shop.toss_confirms(authorized["orderId"])) == 1


def test_a_changed_amount_after_success_is_refused_not_answered_with_a_receipt(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    assert shop.confirm(buyer, authorized).status_code == 200
    edited = shop.confirm(buyer, authorized, amount=authorized["amount"] - 1)
    assert edited.status_code == 400 and edited.json()["code"] == "PAYMENT_AMOUNT_MISMATCH"
    assert len(shop.toss_confirms(authorized["orderId"])) == 1
    assert shop.payment_row(authorized["orderId"])["amount"] == authorized["amount"]


def test_tampered_amount_is_rejected_before_toss_and_changes_nothing(shop):
    buyer = shop.signup()
    order = shop.prepare(buyer)
    authorized = shop.authorize(order)
    r = shop.confirm(buyer, authorized, amount=100)
    assert r.status_code == 400
    assert r.json()["code"] == "PAYMENT_AMOUNT_MISMATCH"
    assert shop.toss_confirms(order["orderId"]) == []
    assert shop.rows("SELECT id FROM payment WHERE order_id = :o", o=order["orderId"]) == []
    honest = shop.confirm(buyer, authorized)  # the real buyer can still pay
    assert honest.status_code == 200 and honest.json()["status"] == "DONE"


def test_prepared_order_lives_ten_minutes_and_an_expired_one_is_not_found(pg_shop):
    shop = pg_shop
    buyer = shop.signup()
    order = shop.prepare(buyer)
    r = redis.Redis.from_url(shop.env["REDIS_URL"])
    key = f"payapp:prepared:{order['orderId']}"
    assert 590 <= r.ttl(key) <= 600
    r.pexpire(key, 1)  # what ten minutes of waiting would do
    authorized = shop.authorize(order)
    response = shop.confirm(buyer, authorized)
    assert response.status_code == 404
    assert response.json()["code"] == "PAYMENT_INFO_NOT_FOUND"
    assert shop.toss_confirms(order["orderId"]) == []


def test_another_users_order_is_rejected_without_revealing_it(shop):
    owner, stranger = shop.signup(), shop.signup()
    authorized = shop.authorize(shop.prepare(owner))
    r = shop.confirm(stranger, authorized)
    assert r.status_code == 404
    assert r.json()["code"] == "PAYMENT_INFO_NOT_FOUND"
    assert shop.toss_confirms(authorized["orderId"]) == []
    assert shop.confirm(owner, authorized).status_code == 200
    assert shop.http.get(f"/v1/payments/{authorized['orderId']}", headers=stranger).status_code == 404


def test_unknown_order_is_not_found(shop):
    buyer = shop.signup()
    r = shop.http.post(
        "/v1/payments/confirm",
        headers=buyer,
        json={"paymentKey": "nokey123", "orderId": "ord_doesnotexist", "amount": 1000},
    )
    assert r.status_code == 404 and r.json()["code"] == "PAYMENT_INFO_NOT_FOUND"


def test_lost_toss_response_stays_in_progress_reported_pending_then_settles(shop):
    buyer, admin = shop.signup(), shop.admin()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", lostResponse=True, forever=True):
        r = shop.confirm(buyer, authorized)
    assert r.status_code == 202, r.text
    assert r.json()["pending"] is True and r.json()["status"] == "IN_PROGRESS"
    assert r.json()["message"] == "승인 확인 중"
    row = shop.payment_row(authorized["orderId"])
    assert row["status"] == "IN_PROGRESS" and row["failure_code"] is None
    assert "ABORTED" not in [e["to_status"] for e in shop.events(authorized["orderId"])]
    # Toss did charge (the response was lost, not the confirm): reconciliation finds it.
    refreshed = shop.confirm(buyer, authorized)
    assert refreshed.status_code == 202 and refreshed.json()["pending"] is True
    synced = shop.http.post(f"/v1/payments/{authorized['orderId']}/sync", headers=admin)
    assert synced.status_code == 200 and synced.json()["status"] == "DONE"
    assert shop.events(authorized["orderId"])[-1]["source"] == "admin"
    assert shop.confirm(buyer, authorized).json()["status"] == "DONE"


def test_one_lost_response_is_healed_by_the_idempotent_retry(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", lostResponse=True, times=1):
        r = shop.confirm(buyer, authorized)
    assert r.status_code == 200 and r.json()["status"] == "DONE"
    assert len(shop.toss_confirms(authorized["orderId"])) == 1  # the retry was a replay


def test_transient_provider_errors_are_retried_with_the_same_key(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(
        path="/v1/payments/confirm", method="POST", chain=["PROVIDER_ERROR", "FAILED_INTERNAL_SYSTEM_PROCESSING", "ok"]
    ):
        r = shop.confirm(buyer, authorized)
    assert r.status_code == 200 and r.json()["status"] == "DONE"
    keys = {
        e["idempotencyKey"]
        for e in shop.sandbox.get("/_sandbox/requests").json()["data"]
        if (e.get("body") or {}).get("orderId") == authorized["orderId"]
    }
    assert keys == {f"confirm:{authorized['orderId']}"}


def test_toss_refusal_marks_the_payment_aborted_with_tosss_code(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", errorCode="REJECT_CARD_PAYMENT"):
        r = shop.confirm(buyer, authorized)
    assert r.status_code == 403 and r.json()["code"] == "REJECT_CARD_PAYMENT"
    row = shop.payment_row(authorized["orderId"])
    assert (row["status"], row["failure_code"]) == ("ABORTED", "REJECT_CARD_PAYMENT")
    again = shop.confirm(buyer, authorized)
    assert again.status_code == 400 and again.json()["code"] == "REJECT_CARD_PAYMENT"


def test_toss_refusing_our_keys_marks_nothing_failed(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", errorCode="UNAUTHORIZED_KEY"):
        r = shop.confirm(buyer, authorized)
    assert r.status_code == 502 and r.json()["code"] == "TOSS_CONFIGURATION_ERROR"
    row = shop.payment_row(authorized["orderId"])
    assert (row["status"], row["failure_code"]) == ("IN_PROGRESS", None)


def test_a_confirm_that_toss_never_answers_is_pending_by_the_deadline_not_after_every_timeout(tmp_path):
    """With the default 10 s timeout and 3 retries, a hung Toss would keep the buyer ~40 s;
    TOSS_CONFIRM_DEADLINE_SECONDS bounds the whole confirm (here 2 s, well under one timeout)."""
    env = {"TOSS_TIMEOUT_SECONDS": "10", "TOSS_CONFIRM_RETRIES": "3", "TOSS_CONFIRM_DEADLINE_SECONDS": "2"}
    with contextlib.contextmanager(_start)(
        "deadline", env, None, f"sqlite:///{tmp_path / 'payapp.db'}", tmp_path
    ) as shop:
        buyer = shop.signup()
        authorized = shop.authorize(shop.prepare(buyer))
        with shop.faulted(path="/v1/payments/confirm", method="POST", lostResponse=True, forever=True):
            started = time.monotonic()
            r = shop.confirm(buyer, authorized)
            waited = time.monotonic() - started
        assert r.status_code == 202 and r.json()["pending"] is True, r.text
        assert waited < 8, f"the confirm waited {waited:.1f}s: the 10 s Toss timeout was not cut short"
        assert shop.payment_row(authorized["orderId"])["status"] == "IN_PROGRESS"


def test_another_orders_payment_key_is_refused_and_the_order_stays_payable(shop):
    buyer = shop.signup()
    first = shop.authorize(shop.prepare(buyer))
    assert shop.confirm(buyer, first).status_code == 200
    second = shop.authorize(shop.prepare(buyer))
    borrowed = shop.confirm(buyer, {**second, "paymentKey": first["paymentKey"]})
    assert borrowed.status_code == 400 and borrowed.json()["code"] == "INVALID_REQUEST", borrowed.text
    assert shop.rows("SELECT id FROM payment WHERE order_id = :o", o=second["orderId"]) == []
    honest = shop.confirm(buyer, second)
    assert honest.status_code == 200 and honest.json()["status"] == "DONE"


def test_polling_a_pending_payment_over_rest_settles_it(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", lostResponse=True, forever=True):
        assert shop.confirm(buyer, authorized).status_code == 202
    polled = shop.http.get(f"/v1/payments/{authorized['orderId']}", headers=buyer)
    assert polled.status_code == 200 and polled.json()["status"] == "DONE", polled.text
    assert shop.payment_row(authorized["orderId"])["status"] == "DONE"
    assert shop.events(authorized["orderId"])[-1]["source"] == "reconcile"


def test_a_failed_lookup_while_settling_never_marks_a_charged_payment_failed(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", lostResponse=True, forever=True):
        assert shop.confirm(buyer, authorized).status_code == 202  # charged at Toss, answer lost
    with shop.faulted(path="/v1/payments/*", method="GET", errorCode="UNAUTHORIZED_KEY", forever=True):
        polled = shop.http.get(f"/v1/payments/{authorized['orderId']}", headers=buyer)
    assert polled.status_code == 200 and polled.json()["status"] == "IN_PROGRESS", polled.text
    assert "ABORTED" not in [e["to_status"] for e in shop.events(authorized["orderId"])]
    # Once the lookup works again, the payment Toss charged is found DONE.
    assert shop.http.get(f"/v1/payments/{authorized['orderId']}", headers=buyer).json()["status"] == "DONE"


def test_a_pending_payment_whose_session_ran_out_settles_as_expired(shop):
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", errorCode="PROVIDER_ERROR", forever=True):
        assert shop.confirm(buyer, authorized).status_code == 202  # Toss never confirmed it
    shop.sandbox.post("/_sandbox/clock", json={"advanceSeconds": 11 * 60}).raise_for_status()
    polled = shop.http.get(f"/v1/payments/{authorized['orderId']}", headers=buyer)
    assert polled.status_code == 200 and polled.json()["status"] == "EXPIRED", polled.text
    assert shop.payment_row(authorized["orderId"])["status"] == "EXPIRED"
