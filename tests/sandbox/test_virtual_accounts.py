"""Step 7.2: 가상계좌 — issue at confirm, deposit with DEPOSIT_CALLBACK, due date, cancels, transactions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from payapp.sandbox import SandboxConfig, buyer_app, create_app
from tests.conftest import DOCS_CLIENT_KEY
from tests.sandbox.flow import assert_error, authorize, cancel, confirm, run_async
from tests.sandbox.merchant import SHOW, landed, payment_window, reroute_toss
from tests.sandbox.test_webhooks import Receiver

REFUND = {"bank": "20", "accountNumber": "1002123456789", "holderName": "김토스"}


@pytest.fixture
def receiver(sandbox) -> Iterator[Receiver]:
    rec = Receiver()
    assert sandbox.post("/_sandbox/webhooks", json={"url": rec.url}).status_code == 201
    try:
        yield rec
    finally:
        sandbox.post("/_sandbox/webhooks/flush")
        sandbox.delete("/_sandbox/webhooks")
        rec.close()


def issued(client, headers, amount: int = 15000, **extra) -> dict:
    """A 가상계좌 confirmed: WAITING_FOR_DEPOSIT, as the confirm answered it."""
    r = confirm(client, authorize(client, amount, method="가상계좌", customerName="김토스", **extra), headers)
    assert r.status_code == 200, r.text
    return r.json()


def deposit(client, payment_key: str, **body):
    return client.post(f"/_sandbox/payments/{payment_key}/deposit", json=body)


def test_confirm_issues_an_account_waiting_for_deposit(sandbox, docs_auth):
    p = issued(sandbox, docs_auth)
    assert (p["status"], p["method"], p["approvedAt"]) == ("WAITING_FOR_DEPOSIT", "가상계좌", None)
    assert p["secret"].startswith("ps_") and len(p["secret"]) <= 50 and p["lastTransactionKey"]
    va = p["virtualAccount"]
    assert set(va) == {
        "accountType",
        "accountNumber",
        "bankCode",
        "customerName",
        "dueDate",
        "refundStatus",
        "expired",
        "settlementStatus",
        "refundReceiveAccount",
        "depositorName",
    }
    assert (
        va["accountType"],
        va["customerName"],
        va["refundStatus"],
        va["expired"],
        va["settlementStatus"],
        va["refundReceiveAccount"],
    ) == ("일반", "김토스", "NONE", False, "INCOMPLETED", None)
    assert va["accountNumber"].startswith("X") and va["accountNumber"][1:].isdigit()  # a test account
    assert va["dueDate"].endswith("+09:00")
    due = datetime.fromisoformat(va["dueDate"]) - datetime.fromisoformat(sandbox.get("/_sandbox/clock").json()["now"])
    assert abs(due.total_seconds() - 168 * 3600) < 5  # Toss's default: 7 days
    # and it stays so on lookup; a second confirm is a processed payment
    assert sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()["status"] == "WAITING_FOR_DEPOSIT"
    assert_error(confirm(sandbox, {**p, "amount": 15000}, docs_auth), 400, "ALREADY_PROCESSED_PAYMENT")


@pytest.mark.parametrize("extra", [{"validHours": 24}, {"virtualAccount": {"validHours": 24}}], ids=["v1", "v2"])
def test_valid_hours_set_the_due_date(sandbox, docs_auth, extra):
    p = issued(sandbox, docs_auth, **extra)
    now = datetime.fromisoformat(sandbox.get("/_sandbox/clock").json()["now"])
    assert abs((datetime.fromisoformat(p["virtualAccount"]["dueDate"]) - now).total_seconds() - 24 * 3600) < 5


def test_a_due_date_is_honoured_and_checked(sandbox, docs_auth):
    now = datetime.fromisoformat(sandbox.get("/_sandbox/clock").json()["now"])
    due = (now + timedelta(days=1)).replace(tzinfo=None).isoformat()[:11] + "23:59:59"
    p = issued(sandbox, docs_auth, virtualAccount={"dueDate": due})
    assert p["virtualAccount"]["dueDate"] == due + "+09:00"
    body = {"clientKey": DOCS_CLIENT_KEY, "method": "가상계좌", "amount": 1000, "orderName": "x"}
    too_far = sandbox.post("/_sandbox/authorize", json={**body, "orderId": "order-va-far", "validHours": 2161})
    assert_error(too_far, 400, "EXCEED_MAX_DUE_DATE")
    past = sandbox.post(
        "/_sandbox/authorize", json={**body, "orderId": "order-va-past", "dueDate": "2001-01-01T00:00:00"}
    )
    assert_error(past, 400, "INVALID_DATE")


def test_deposit_makes_it_done_and_sends_deposit_callback_and_status_changed(sandbox, docs_auth, receiver):
    p = issued(sandbox, docs_auth)
    r = deposit(sandbox, p["paymentKey"], amount=15000)
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["balanceAmount"]) == ("DONE", 15000) and done["approvedAt"]
    assert done["lastTransactionKey"] != p["lastTransactionKey"] and done["secret"] == p["secret"]
    assert sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()["status"] == "DONE"
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    reqs = receiver.wait_for(4)  # issue and deposit, each a DEPOSIT_CALLBACK and a PAYMENT_STATUS_CHANGED
    callbacks = [r["body"] for r in reqs if "eventType" not in r["body"]]
    changed = [r["body"]["data"]["status"] for r in reqs if r["body"].get("eventType") == "PAYMENT_STATUS_CHANGED"]
    assert sorted(changed) == ["DONE", "WAITING_FOR_DEPOSIT"]
    paid = next(c for c in callbacks if c["status"] == "DONE")
    # Toss's flat body, exactly: no eventType, no paymentKey.
    assert set(paid) == {"createdAt", "secret", "status", "transactionKey", "orderId"}
    assert (paid["secret"], paid["orderId"], paid["transactionKey"]) == (
        p["secret"],
        p["orderId"],
        done["lastTransactionKey"],
    )
    assert "+" not in paid["createdAt"] and "." in paid["createdAt"]  # KST wall time, microseconds, no offset
    deliveries = sandbox.get("/_sandbox/webhooks/deliveries", params={"orderId": p["orderId"]}).json()["data"]
    logged = next(d["body"] for d in deliveries if (d["eventType"], d["paymentStatus"]) == ("DEPOSIT_CALLBACK", "DONE"))
    assert logged == paid
    assert {(d["eventType"], d["paymentStatus"]) for d in deliveries} == {
        ("DEPOSIT_CALLBACK", "WAITING_FOR_DEPOSIT"),
        ("DEPOSIT_CALLBACK", "DONE"),
        ("PAYMENT_STATUS_CHANGED", "WAITING_FOR_DEPOSIT"),
        ("PAYMENT_STATUS_CHANGED", "DONE"),
    }


def test_deposit_works_on_both_stores(any_sandbox, docs_auth):
    p = issued(any_sandbox, docs_auth)
    assert deposit(any_sandbox, p["paymentKey"]).json()["status"] == "DONE"
    assert_error(deposit(any_sandbox, p["paymentKey"]), 400, "INVALID_REQUEST")  # paid already


def test_deposits_that_cannot_be(sandbox, docs_auth):
    assert_error(deposit(sandbox, "tossp20240101000000nothing"), 404, "NOT_FOUND_PAYMENT")
    card = confirm(sandbox, authorize(sandbox), docs_auth).json()
    assert_error(deposit(sandbox, card["paymentKey"]), 400, "INVALID_REQUEST")
    p = issued(sandbox, docs_auth)
    assert_error(deposit(sandbox, p["paymentKey"], amount=1000), 400, "INVALID_REQUEST")  # not the amount
    assert_error(deposit(sandbox, p["paymentKey"], amount="lots"), 400, "INVALID_REQUEST")


def test_the_due_date_passing_marks_it_expired_and_nothing_else(sandbox, docs_auth, receiver):
    p = issued(sandbox, docs_auth, validHours=1)
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    receiver.wait_for(2)  # the issue's two webhooks
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 3601}).raise_for_status()
    got = sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()
    assert (got["status"], got["virtualAccount"]["expired"]) == ("WAITING_FOR_DEPOSIT", True)
    assert sandbox.get("/_sandbox/payments").json()["data"][0]["virtualAccount"]["expired"] is True
    assert_error(deposit(sandbox, p["paymentKey"]), 400, "INVALID_REQUEST")  # too late to pay
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    time.sleep(0.2)
    assert len(receiver.requests) == 2  # Toss sends no webhook when the due date passes
    # An expired account is cancelled like any unpaid one.
    assert cancel(sandbox, p["paymentKey"], docs_auth).json()["status"] == "CANCELED"


def test_cancel_before_deposit_is_full_only(sandbox, docs_auth):
    p = issued(sandbox, docs_auth)
    assert_error(
        cancel(sandbox, p["paymentKey"], docs_auth, amount=5000), 403, "NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT"
    )
    r = cancel(sandbox, p["paymentKey"], docs_auth)  # no refund account needed: nothing was paid
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["balanceAmount"], done["cancels"][0]["cancelAmount"]) == ("CANCELED", 0, 15000)
    assert_error(deposit(sandbox, p["paymentKey"]), 400, "INVALID_REQUEST")


def test_cancel_after_deposit_needs_a_valid_refund_account(sandbox, docs_auth):
    p = issued(sandbox, docs_auth)
    deposit(sandbox, p["paymentKey"]).raise_for_status()
    key = p["paymentKey"]
    assert_error(cancel(sandbox, key, docs_auth), 400, "INVALID_REQUEST")
    assert_error(
        cancel(sandbox, key, docs_auth, refundReceiveAccount={**REFUND, "bank": "없는은행"}), 400, "INVALID_BANK"
    )
    assert_error(
        cancel(sandbox, key, docs_auth, refundReceiveAccount={**REFUND, "accountNumber": "1002-123-456"}),
        400,
        "INVALID_REFUND_ACCOUNT_NUMBER",
    )
    assert_error(
        cancel(sandbox, key, docs_auth, refundReceiveAccount={**REFUND, "accountNumber": "1" * 21}),
        400,
        "INVALID_REFUND_ACCOUNT_NUMBER",
    )
    assert_error(
        cancel(sandbox, key, docs_auth, refundReceiveAccount={**REFUND, "holderName": ""}),
        400,
        "INVALID_REFUND_ACCOUNT_INFO",
    )
    assert sandbox.get(f"/v1/payments/{key}", headers=docs_auth).json()["balanceAmount"] == 15000  # nothing moved
    part = cancel(sandbox, key, docs_auth, amount=5000, refundReceiveAccount={**REFUND, "bank": "우리"})
    assert part.status_code == 200, part.text
    assert (part.json()["status"], part.json()["balanceAmount"]) == ("PARTIAL_CANCELED", 10000)
    assert part.json()["virtualAccount"]["refundReceiveAccount"] == {
        "bankCode": "20",
        "accountNumber": "1002123456789",
        "holderName": "김토스",
    }
    rest = cancel(sandbox, key, docs_auth, refundReceiveAccount=REFUND)
    assert (rest.json()["status"], rest.json()["balanceAmount"]) == ("CANCELED", 0)


def test_transactions_list_the_account_its_deposit_and_its_cancels(any_sandbox, docs_auth):
    paid = issued(any_sandbox, docs_auth, amount=15000)
    deposit(any_sandbox, paid["paymentKey"]).raise_for_status()
    cancel(any_sandbox, paid["paymentKey"], docs_auth, amount=5000, refundReceiveAccount=REFUND).raise_for_status()
    unpaid = issued(any_sandbox, docs_auth, amount=7000)
    cancel(any_sandbox, unpaid["paymentKey"], docs_auth).raise_for_status()
    day = any_sandbox.get("/_sandbox/clock").json()["now"][:10]
    rows = any_sandbox.get(
        "/v1/transactions", headers=docs_auth, params={"startDate": day, "endDate": f"{day}T23:59:59"}
    ).json()
    got = [(r["paymentKey"], r["method"], r["status"], r["amount"]) for r in rows]
    # The issue is a WAITING_FOR_DEPOSIT row for 0 (as in a real listing): no money moved until the
    # deposit's DONE row; an unpaid account's cancel moves none either.
    assert got == [
        (paid["paymentKey"], "가상계좌", "WAITING_FOR_DEPOSIT", 0),
        (paid["paymentKey"], "가상계좌", "DONE", 15000),
        (paid["paymentKey"], "가상계좌", "PARTIAL_CANCELED", 5000),
        (unpaid["paymentKey"], "가상계좌", "WAITING_FOR_DEPOSIT", 0),
        (unpaid["paymentKey"], "가상계좌", "CANCELED", 0),
    ]
    assert len({r["transactionKey"] for r in rows}) == 5


def test_an_order_with_an_issued_account_takes_no_second_payment(sandbox, docs_auth):
    p = issued(sandbox, docs_auth)
    r = sandbox.post(
        "/_sandbox/authorize",
        json={"clientKey": DOCS_CLIENT_KEY, "amount": 15000, "orderId": p["orderId"], "orderName": "x"},
    )
    assert_error(r, 400, "DUPLICATED_ORDER_ID")
    assert sandbox.get(f"/v1/payments/orders/{p['orderId']}", headers=docs_auth).json()["paymentKey"] == p["paymentKey"]


def test_deposit_is_control_api_only():
    async def scenario() -> None:
        app = create_app(SandboxConfig(control=False))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
            r = await c.post("/_sandbox/payments/tossp20240101000000any/deposit", json={})
            assert_error(r, 404, "NOT_FOUND")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=buyer_app(create_app())), base_url="http://sandbox"
        ) as c:
            assert (await c.post("/_sandbox/payments/tossp20240101000000any/deposit", json={})).status_code == 404

    run_async(scenario())


VA_CHECKOUT = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>가상계좌</title>
<script src="https://js.tosspayments.com/v2/standard"></script></head>
<body><button id="pay">결제하기</button>"""
    + SHOW
    + """<script>
const payment = TossPayments(__CLIENT_KEY__).payment({ customerKey: TossPayments.ANONYMOUS });
document.getElementById("pay").addEventListener("click", () => attempt(() => payment.requestPayment({
  method: "VIRTUAL_ACCOUNT",
  amount: { currency: "KRW", value: 50000 },
  orderId: __ORDER_ID__, orderName: "토스 티셔츠 외 2건",
  successUrl: window.location.origin + "/success", failUrl: window.location.origin + "/fail",
  customerEmail: "customer123@gmail.com", customerName: "김토스",
  virtualAccount: { cashReceipt: { type: "소득공제" }, useEscrow: false, validHours: 24 },
})));
</script></body></html>"""
)


def test_the_v2_virtual_account_window_issues_an_account(sandbox, sandbox_url, docs_auth, merchant, page):
    reroute_toss(page, sandbox_url)
    page.goto(merchant.page("/va-checkout", VA_CHECKOUT, CLIENT_KEY=DOCS_CLIENT_KEY, ORDER_ID="order-va-browser"))
    page.get_by_role("button", name="결제하기").click()
    window = payment_window(page)
    assert window.get_by_text("가상계좌", exact=True).is_visible()
    window.get_by_label("은행").select_option("88")  # 신한
    window.get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/success")
    p = confirm(
        sandbox, {"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": query["amount"]}, docs_auth
    ).json()
    assert (p["status"], p["virtualAccount"]["bankCode"], p["virtualAccount"]["customerName"]) == (
        "WAITING_FOR_DEPOSIT",
        "88",
        "김토스",
    )
    done = deposit(sandbox, p["paymentKey"]).json()
    assert done["status"] == "DONE" and done["cashReceipt"]["type"] == "소득공제"


V1_VA_CHECKOUT = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>v1 가상계좌</title>
<script src="https://js.tosspayments.com/v1/payment"></script></head>
<body><button id="pay">결제하기</button>"""
    + SHOW
    + """<script>
const tossPayments = TossPayments(__CLIENT_KEY__);
document.getElementById("pay").addEventListener("click", () => attempt(() => tossPayments.requestPayment("가상계좌", {
  amount: 15000, orderId: __ORDER_ID__, orderName: "텀블러", customerName: "박토스", validHours: 72,
  cashReceipt: { type: "미발행" }, successUrl: window.location.origin + "/success",
  failUrl: window.location.origin + "/fail",
})));
</script></body></html>"""
)


def test_the_v1_virtual_account_window_issues_an_account(sandbox, sandbox_url, docs_auth, merchant, page):
    reroute_toss(page, sandbox_url)
    page.goto(merchant.page("/v1-va-checkout", V1_VA_CHECKOUT, CLIENT_KEY=DOCS_CLIENT_KEY, ORDER_ID="order-va-v1"))
    page.get_by_role("button", name="결제하기").click()
    window = payment_window(page)
    assert window.get_by_text("발급 후 72시간 이내").is_visible()
    window.get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/success")
    p = confirm(
        sandbox, {"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": query["amount"]}, docs_auth
    ).json()
    assert (p["status"], p["method"], p["virtualAccount"]["customerName"]) == (
        "WAITING_FOR_DEPOSIT",
        "가상계좌",
        "박토스",
    )
    now = datetime.fromisoformat(sandbox.get("/_sandbox/clock").json()["now"])
    assert abs((datetime.fromisoformat(p["virtualAccount"]["dueDate"]) - now).total_seconds() - 72 * 3600) < 5
    assert deposit(sandbox, p["paymentKey"]).json()["cashReceipt"] is None  # 미발행
