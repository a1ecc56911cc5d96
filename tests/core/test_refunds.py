"""Refunds never exceed what was paid, even when two arrive at once."""

from __future__ import annotations

import asyncio

import httpx


def test_refund_over_the_balance_is_refused_and_changes_nothing(shop):
    buyer, admin = shop.signup(), shop.admin()
    paid = shop.paid_order(buyer)
    r = shop.http.post(
        f"/v1/payments/{paid['orderId']}/cancel",
        headers=admin,
        json={"cancelReason": "과다", "cancelAmount": paid["amount"] + 1},
    )
    assert r.status_code == 400 and r.json()["code"] == "CANCEL_AMOUNT_EXCEEDS_BALANCE"
    assert shop.payment_row(paid["orderId"])["status"] == "DONE"


def test_canceled_payment_cannot_be_refunded_again(shop):
    buyer, admin = shop.signup(), shop.admin()
    paid = shop.paid_order(buyer)
    url = f"/v1/payments/{paid['orderId']}/cancel"
    assert shop.http.post(url, headers=admin, json={"cancelReason": "전액"}).status_code == 200
    again = shop.http.post(url, headers=admin, json={"cancelReason": "또"})
    assert again.status_code == 400 and again.json()["code"] == "ALREADY_CANCELED_PAYMENT"


def test_two_concurrent_partial_refunds_never_exceed_the_paid_amount(shop):
    buyer, admin = shop.signup(), shop.admin()
    paid = shop.paid_order(buyer)
    share = paid["amount"] // 2 + 1  # two of these are more than was paid
    url = f"/v1/payments/{paid['orderId']}/cancel"

    async def both() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=shop.url, headers=admin, timeout=60) as client:
            return await asyncio.gather(
                *[client.post(url, json={"cancelReason": f"동시 {i}", "cancelAmount": share}) for i in range(2)]
            )

    responses = asyncio.run(both())
    assert sorted(r.status_code for r in responses) == [200, 400], [r.text for r in responses]
    row = shop.payment_row(paid["orderId"])
    assert row["balance_amount"] == paid["amount"] - share >= 0
    toss = shop.sandbox.get("/_sandbox/payments", params={"orderId": paid["orderId"]}).json()["data"][0]
    assert sum(c["cancelAmount"] for c in toss["cancels"]) == share


def test_a_refund_after_a_lost_one_is_a_new_refund_not_a_replay(shop):
    """A lost refund answer, learned later by a sync, must not make the next refund replay it."""
    buyer, admin = shop.signup(), shop.admin()
    paid = shop.paid_order(buyer)
    url = f"/v1/payments/{paid['orderId']}/cancel"
    with shop.faulted(path="/v1/payments/*/cancel", method="POST", lostResponse=True, forever=True):
        lost = shop.http.post(url, headers=admin, json={"cancelReason": "부분", "cancelAmount": 1000})
    assert lost.status_code == 503 and lost.json()["code"] == "TOSS_UNAVAILABLE"
    synced = shop.http.post(f"/v1/payments/{paid['orderId']}/sync", headers=admin)
    assert synced.json()["status"] == "PARTIAL_CANCELED"
    assert synced.json()["balanceAmount"] == paid["amount"] - 1000

    rest = shop.http.post(url, headers=admin, json={"cancelReason": "나머지"})
    assert rest.status_code == 200, rest.text
    assert rest.json()["status"] == "CANCELED" and rest.json()["balanceAmount"] == 0
    row = shop.payment_row(paid["orderId"])
    assert row["status"] == "CANCELED" and row["balance_amount"] == 0
