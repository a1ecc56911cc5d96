"""Step 7.4: 자동결제 — requestBillingAuth, authKey → billing key, charges, delete."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.conftest import DOCS_CLIENT_KEY, DOCS_SECRET_KEY, basic
from tests.sandbox.flow import assert_error, order_id
from tests.sandbox.merchant import SHOW, landed, payment_window, reroute_toss, settled
from tests.sandbox.test_webhooks import Receiver


def auth_key(client, customer_key: str = "cust-billing-01", method: str = "CARD", **extra) -> dict:
    r = client.post(
        "/_sandbox/authorize",
        json={"clientKey": DOCS_CLIENT_KEY, "billing": True, "customerKey": customer_key, "method": method, **extra},
    )
    assert r.status_code == 200, r.text
    return r.json()


def issue(client, headers, customer_key: str = "cust-billing-01", method: str = "CARD") -> dict:
    auth = auth_key(client, customer_key, method)
    r = client.post(
        "/v1/billing/authorizations/issue",
        headers=headers,
        json={"authKey": auth["authKey"], "customerKey": customer_key},
    )
    assert r.status_code == 200, r.text
    return r.json()


def charge(client, headers, billing_key: str, customer_key: str = "cust-billing-01", amount: int = 4900, **extra):
    return client.post(
        f"/v1/billing/{billing_key}",
        headers=headers,
        json={
            "customerKey": customer_key,
            "amount": amount,
            "orderId": order_id("bill"),
            "orderName": "토스 프라임 구독",
            "customerEmail": "customer123@gmail.com",
            "customerName": "김토스",
            **extra,
        },
    )


def test_the_headless_billing_auth_redirects_with_customer_key_and_auth_key(sandbox):
    auth = auth_key(sandbox, successUrl="https://m.example/payment/billing?billingMethod=CARD&")
    assert auth["redirectUrl"] == (
        f"https://m.example/payment/billing?billingMethod=CARD&customerKey=cust-billing-01&authKey={auth['authKey']}"
    )
    refused = auth_key(sandbox, outcome="cancel", failUrl="https://m.example/fail")
    assert refused["code"] == "PAY_PROCESS_CANCELED" and refused["redirectUrl"].startswith(
        "https://m.example/fail?code="
    )


@pytest.mark.parametrize("method", ["CARD", "TRANSFER"])
def test_an_auth_key_becomes_a_billing_key(sandbox, docs_auth, method):
    billing = issue(sandbox, docs_auth, method=method)
    assert {"mId", "customerKey", "authenticatedAt", "method", "billingKey", "card", "transfers"} <= billing.keys()
    assert (billing["mId"], billing["customerKey"]) == ("tosspayments", "cust-billing-01")
    assert billing["authenticatedAt"].endswith("+09:00") and 1 <= len(billing["billingKey"]) <= 200
    if method == "CARD":
        assert billing["method"] == "카드" and billing["card"]["number"] and billing["card"]["cardType"] == "신용"
    else:
        assert billing["method"] == "계좌이체" and billing["transfers"][0]["bankName"]


def test_an_auth_key_is_used_once_and_only_by_its_customer_and_merchant(sandbox, docs_auth, sandbox_auth):
    auth = auth_key(sandbox)
    issue_ = "/v1/billing/authorizations/issue"
    assert_error(
        sandbox.post(issue_, headers=docs_auth, json={"authKey": auth["authKey"], "customerKey": "cust-other"}),
        400,
        "NOT_MATCHES_CUSTOMER_KEY",
    )
    assert_error(
        sandbox.post(issue_, headers=sandbox_auth, json={**auth, "customerKey": "cust-billing-01"}),
        404,
        "NOT_FOUND_BILLING",
    )
    assert (
        sandbox.post(
            issue_, headers=docs_auth, json={"authKey": auth["authKey"], "customerKey": "cust-billing-01"}
        ).status_code
        == 200
    )
    assert_error(
        sandbox.post(issue_, headers=docs_auth, json={"authKey": auth["authKey"], "customerKey": "cust-billing-01"}),
        404,
        "NOT_FOUND_BILLING",
    )


def test_a_billing_charge_is_a_done_payment_of_type_billing_with_no_webhook(sandbox, docs_auth):
    rec = Receiver()
    sandbox.post("/_sandbox/webhooks", json={"url": rec.url}).raise_for_status()
    try:
        billing = issue(sandbox, docs_auth)
        r = charge(sandbox, docs_auth, billing["billingKey"], taxFreeAmount=900)
        assert r.status_code == 200, r.text
        p = r.json()
        assert (p["type"], p["status"], p["method"], p["totalAmount"]) == ("BILLING", "DONE", "카드", 4900)
        assert p["approvedAt"] and p["card"]["number"] == billing["card"]["number"] and p["card"]["amount"] == 4900
        assert (p["taxFreeAmount"], p["vat"], p["suppliedAmount"]) == (900, 364, 3636)
        got = sandbox.get(f"/v1/payments/orders/{p['orderId']}", headers=docs_auth).json()
        assert got["paymentKey"] == p["paymentKey"]
        day = p["approvedAt"][:10]
        rows = sandbox.get(
            "/v1/transactions", headers=docs_auth, params={"startDate": day, "endDate": f"{day}T23:59:59"}
        ).json()
        assert [(r["paymentKey"], r["customerKey"], r["status"]) for r in rows] == [
            (p["paymentKey"], "cust-billing-01", "DONE")
        ]
        sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
        time.sleep(0.2)
        assert rec.requests == []  # Toss sends no webhook for a billing approval
        # It is a payment like any: it can be cancelled.
        canceled = sandbox.post(
            f"/v1/payments/{p['paymentKey']}/cancel", headers=docs_auth, json={"cancelReason": "구독 해지"}
        )
        assert canceled.json()["status"] == "CANCELED"
    finally:
        sandbox.delete("/_sandbox/webhooks")
        rec.close()


def test_a_charge_for_another_customer_or_a_paid_order_is_refused(sandbox, docs_auth):
    billing = issue(sandbox, docs_auth)
    assert_error(
        charge(sandbox, docs_auth, billing["billingKey"], customer_key="cust-other"), 400, "NOT_MATCHES_CUSTOMER_KEY"
    )
    first = charge(sandbox, docs_auth, billing["billingKey"]).json()
    again = charge(sandbox, docs_auth, billing["billingKey"], orderId=first["orderId"])
    assert_error(again, 400, "DUPLICATED_ORDER_ID")
    assert_error(charge(sandbox, docs_auth, billing["billingKey"], amount=0), 400, "INVALID_REQUEST")
    assert_error(
        charge(sandbox, basic("test_sk_payappSandbox0000000000000"), billing["billingKey"]), 404, "NOT_FOUND_BILLING"
    )


def test_a_deleted_billing_key_charges_nothing(sandbox, docs_auth):
    billing = issue(sandbox, docs_auth)
    r = sandbox.delete(f"/v1/billing/{billing['billingKey']}", headers=docs_auth)
    assert (r.status_code, r.content) == (200, b"")
    assert_error(charge(sandbox, docs_auth, billing["billingKey"]), 404, "NOT_FOUND_BILLING")
    assert_error(sandbox.delete(f"/v1/billing/{billing['billingKey']}", headers=docs_auth), 404, "NOT_FOUND_BILLING")


def test_billing_keys_live_in_both_stores(any_sandbox, docs_auth):
    billing = issue(any_sandbox, docs_auth)
    assert charge(any_sandbox, docs_auth, billing["billingKey"]).json()["status"] == "DONE"


def test_a_billing_charge_is_idempotent(sandbox, docs_auth):
    billing = issue(sandbox, docs_auth)
    headers = {**docs_auth, "Idempotency-Key": "charge-once"}
    body = {"customerKey": "cust-billing-01", "amount": 4900, "orderId": order_id("bill"), "orderName": "구독"}
    first = sandbox.post(f"/v1/billing/{billing['billingKey']}", headers=headers, json=body)
    second = sandbox.post(f"/v1/billing/{billing['billingKey']}", headers=headers, json=body)
    assert first.json() == second.json() and second.headers["x-sandbox-idempotent-replay"] == "true"


BILLING_PAGE = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>정기 결제</title>
<script src="https://js.tosspayments.com/v2/standard"></script></head>
<body><button id="register">자동결제 수단 등록하기</button>"""
    + SHOW
    + """<script>
const payment = TossPayments(__CLIENT_KEY__).payment({ customerKey: __CUSTOMER_KEY__ });
document.getElementById("register").addEventListener("click", () => attempt(() => payment.requestBillingAuth({
  method: __METHOD__,
  successUrl: window.location.origin + `/payment/billing?billingMethod=${__METHOD__}&`,
  failUrl: window.location.origin + "/fail",
  customerEmail: "customer123@gmail.com", customerName: "김토스",
})));
</script></body></html>"""
)


@pytest.mark.parametrize("method", ["CARD", "TRANSFER"])
def test_request_billing_auth_in_the_browser_then_a_charge(sandbox, sandbox_url, docs_auth, merchant, page, method):
    reroute_toss(page, sandbox_url)
    page.goto(
        merchant.page(
            f"/billing-{method}",
            BILLING_PAGE,
            CLIENT_KEY=DOCS_CLIENT_KEY,
            CUSTOMER_KEY="cust-browser-01",
            METHOD=method,
        )
    )
    page.get_by_role("button", name="자동결제 수단 등록하기").click()
    window = payment_window(page)
    expect(window.get_by_text("자동결제 등록")).to_be_visible()
    window.get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/payment/billing")
    assert list(query) == ["billingMethod", "customerKey", "authKey"]  # appended after the '&', nothing doubled
    assert "&&" not in page.url and (query["billingMethod"], query["customerKey"]) == (method, "cust-browser-01")
    issued = sandbox.post(
        "/v1/billing/authorizations/issue",
        headers=basic(DOCS_SECRET_KEY),
        json={"authKey": query["authKey"], "customerKey": query["customerKey"]},
    ).json()
    p = charge(sandbox, docs_auth, issued["billingKey"], customer_key="cust-browser-01").json()
    assert (p["type"], p["status"]) == ("BILLING", "DONE")


def test_billing_auth_needs_a_real_customer_key(sandbox, sandbox_url, merchant, page):
    reroute_toss(page, sandbox_url)
    page.goto(
        merchant.page(
            "/billing-anon", BILLING_PAGE, CLIENT_KEY=DOCS_CLIENT_KEY, CUSTOMER_KEY="@@ANONYMOUS", METHOD="CARD"
        )
    )
    page.get_by_role("button", name="자동결제 수단 등록하기").click()
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", "INVALID_CUSTOMER_KEY")
