"""가상계좌 at the API: confirm answers WAITING_FOR_DEPOSIT (a normal outcome, not pending), and
only a DEPOSIT_CALLBACK carrying the payment's own secret moves it on (re-read at Toss)."""

from __future__ import annotations

import json

from payapp.sandbox.config import SANDBOX_CLIENT_KEY
from payapp.schemas import PaymentView
from payapp.state.payment import receipt_of


def _va_payment(shop) -> tuple[dict, dict]:
    """A confirmed 가상계좌 of a new buyer: (buyer auth, the API's answer)."""
    buyer = shop.signup()
    order = shop.prepare(buyer)
    r = shop.sandbox.post(
        "/_sandbox/authorize",
        json={
            "clientKey": SANDBOX_CLIENT_KEY,
            "method": "가상계좌",
            "amount": order["amount"],
            "orderId": order["orderId"],
            "orderName": order["orderName"],
        },
    )
    assert r.status_code == 200, r.text
    r = shop.confirm(buyer, r.json())
    assert r.status_code == 200, r.text
    return buyer, r.json()


def _callback(order_id: str, secret: str, status: str = "DONE") -> dict:
    return {
        "createdAt": "2026-11-29T12:00:00.000000",
        "secret": secret,
        "status": status,
        "transactionKey": "forged-tx",
        "orderId": order_id,
    }


def _lookups(shop, payment_key: str) -> int:
    return shop.sandbox.get("/_sandbox/requests", params={"path": f"/v1/payments/{payment_key}"}).json()["count"]


def test_confirm_of_a_virtual_account_is_waiting_for_deposit_with_its_account(shop):
    _, paid = _va_payment(shop)
    assert paid["status"] == "WAITING_FOR_DEPOSIT" and paid["pending"] is False
    va = paid["virtualAccount"]
    assert va["accountNumber"] and va["bankCode"] and va["dueDate"].endswith("+09:00") and va["expired"] is False
    assert "secret" not in json.dumps(paid)  # the callback's secret never leaves the server
    row = shop.payment_row(paid["orderId"])
    assert row["status"] == "WAITING_FOR_DEPOSIT"


def test_a_forged_deposit_callback_changes_nothing_and_calls_no_toss(shop):
    _, paid = _va_payment(shop)
    key, order_id = paid["paymentKey"], paid["orderId"]
    shop.sandbox.post(f"/_sandbox/payments/{key}/deposit", json={}).raise_for_status()  # Toss: DONE
    before, events = _lookups(shop, key), len(shop.events(order_id))
    for body in (_callback(order_id, "ps_wrong"), {k: v for k, v in _callback(order_id, "").items() if k != "secret"}):
        r = shop.http.post("/v1/webhooks/toss", json=body)
        assert r.status_code == 403 and r.json()["code"] == "INVALID_SECRET", r.text
    assert shop.payment_row(order_id)["status"] == "WAITING_FOR_DEPOSIT"
    assert len(shop.events(order_id)) == events
    assert _lookups(shop, key) == before  # not one Toss call

    # The genuine callback (Toss's secret) is re-read at Toss and applied: DONE.
    raw = shop.payment_row(order_id)["raw"]
    secret = (json.loads(raw) if isinstance(raw, str) else raw)["secret"]
    r = shop.http.post("/v1/webhooks/toss", json=_callback(order_id, secret))
    assert r.status_code == 200, r.text
    assert shop.payment_row(order_id)["status"] == "DONE"
    assert shop.events(order_id)[-1]["source"] == "webhook"
    assert _lookups(shop, key) == before + 1


def test_a_deposited_virtual_account_is_refunded_only_to_a_given_account(shop):
    _, paid = _va_payment(shop)
    key, order_id = paid["paymentKey"], paid["orderId"]
    shop.sandbox.post(f"/_sandbox/payments/{key}/deposit", json={}).raise_for_status()
    assert shop.http.post(f"/v1/payments/{order_id}/sync", headers=(admin := shop.admin())).json()["status"] == "DONE"
    url = f"/v1/payments/{order_id}/cancel"
    r = shop.http.post(url, headers=admin, json={"cancelReason": "반품"})
    assert r.status_code == 400 and r.json()["code"] == "REFUND_ACCOUNT_REQUIRED", r.text
    bad = {"bank": "우리", "accountNumber": "12-34", "holderName": "홍길동"}
    r = shop.http.post(url, headers=admin, json={"cancelReason": "반품", "refundReceiveAccount": bad})
    assert r.status_code in (400, 422), r.text
    assert (
        shop.rows("SELECT r.id FROM refund r JOIN payment p ON p.id = r.payment_id WHERE p.order_id = :o", o=order_id)
        == []
    )  # refused before any refund row or Toss call
    account = {"bank": "20", "accountNumber": "1002123456789", "holderName": "홍길동"}
    r = shop.http.post(url, headers=admin, json={"cancelReason": "반품", "refundReceiveAccount": account})
    assert r.status_code == 200 and r.json()["status"] == "CANCELED", r.text
    sent = shop.sandbox.get("/_sandbox/requests", params={"path": f"/v1/payments/{key}/cancel"}).json()["data"]
    assert sent[-1]["body"]["refundReceiveAccount"] == account


def test_a_virtual_account_is_cancelled_whole_before_its_deposit(shop):
    _, waiting = _va_payment(shop)
    admin = shop.admin()
    url = f"/v1/payments/{waiting['orderId']}/cancel"
    partial = shop.http.post(url, headers=admin, json={"cancelReason": "일부", "cancelAmount": 1000})
    assert partial.status_code == 400 and partial.json()["code"] == "NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT"
    assert shop.payment_row(waiting["orderId"])["status"] == "WAITING_FOR_DEPOSIT"
    whole = shop.http.post(url, headers=admin, json={"cancelReason": "주문 취소"})
    assert whole.status_code == 200 and whole.json()["status"] == "CANCELED", whole.text
    [toss] = shop.sandbox.get("/_sandbox/payments", params={"orderId": waiting["orderId"]}).json()["data"]
    assert toss["status"] == "CANCELED"
    assert shop.events(waiting["orderId"])[-1]["to_status"] == "CANCELED"


def test_an_account_past_its_due_date_reads_expired_and_takes_no_deposit(shop):
    buyer, waiting = _va_payment(shop)
    due = waiting["virtualAccount"]["dueDate"]
    shop.sandbox.post("/_sandbox/clock", json={"advanceSeconds": 8 * 24 * 3600}).raise_for_status()
    synced = shop.http.post(f"/v1/payments/{waiting['orderId']}/sync", headers=shop.admin())
    assert synced.status_code == 200, synced.text
    seen = shop.http.get(f"/v1/payments/{waiting['orderId']}", headers=buyer).json()
    assert seen["status"] == "WAITING_FOR_DEPOSIT" and seen["virtualAccount"]["expired"] is True, (due, seen)
    receipt = receipt_of(PaymentView(**seen))
    assert receipt["statusLabel"] == "입금 기한 만료" and receipt["vaState"] == "expired"
    deposit = shop.sandbox.post(f"/_sandbox/payments/{waiting['paymentKey']}/deposit")
    assert deposit.status_code >= 400, deposit.text  # no longer payable
    assert shop.payment_row(waiting["orderId"])["status"] == "WAITING_FOR_DEPOSIT"
