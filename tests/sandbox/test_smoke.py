"""The sandbox's happy path end to end over HTTP: authorize → confirm → get."""

from tests.conftest import DOCS_CLIENT_KEY


def test_authorize_then_confirm_gives_a_done_card_payment(sandbox, docs_auth):
    auth = sandbox.post(
        "/_sandbox/authorize",
        json={
            "clientKey": DOCS_CLIENT_KEY,
            "method": "카드",
            "amount": 15000,
            "orderId": "smoke-order-1",
            "orderName": "텀블러 외 2건",
        },
    ).json()
    assert auth["status"] == "IN_PROGRESS"
    r = sandbox.post(
        "/v1/payments/confirm",
        headers=docs_auth,
        json={"paymentKey": auth["paymentKey"], "orderId": "smoke-order-1", "amount": 15000},
    )
    assert r.status_code == 200, r.text
    payment = r.json()
    assert payment["status"] == "DONE"
    assert payment["method"] == "카드"
    assert (payment["suppliedAmount"], payment["vat"]) == (13636, 1364)
    got = sandbox.get(f"/v1/payments/orders/{auth['orderId']}", headers=docs_auth).json()
    assert got == payment
