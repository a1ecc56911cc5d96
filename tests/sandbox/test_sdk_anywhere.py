"""Step 7.1: the SDK works wherever it is loaded from.

The script is served at Toss's own paths under ``/js`` and carries the sandbox's absolute base
URL (from the request that fetched it, mount prefix included, or a configured public URL). A
page written like Toss's samples, whose ``<script src="https://js.tosspayments.com/v2/standard">``
is answered by the sandbox through Playwright's ``page.route``, opens the sandbox's window and
posts to the sandbox.
"""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette
from starlette.routing import Mount

from payapp.sandbox import SandboxConfig, buyer_app, create_app
from tests.conftest import DOCS_CLIENT_KEY, DOCS_SECRET_KEY, basic
from tests.sandbox.flow import run_async
from tests.sandbox.merchant import SHOW, landed, payment_window, reroute_toss

SCRIPT_PATHS = ["/js/v1", "/js/v1/payment", "/js/v1/payment-widget", "/js/v2/standard", "/_sandbox/sdk.js"]


def served_base(script: str) -> dict:
    """The ``{base, fixed}`` the sandbox wrote into a script it served."""
    start = script.index("var SERVED = ") + len("var SERVED = ")
    return json.loads(script[start : script.index(";", start)])


@pytest.mark.parametrize("path", SCRIPT_PATHS)
def test_every_script_path_serves_the_sdk_with_the_sandboxs_own_base(sandbox, sandbox_url, path):
    r = sandbox.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert "window.TossPayments = TossPayments" in r.text and "window.PaymentWidget" in r.text
    assert served_base(r.text) == {"base": sandbox_url, "fixed": False}


def test_the_base_carries_the_mount_prefix_and_the_host_asked_for():
    async def scenario() -> None:
        sandbox = create_app()
        shop = Starlette(routes=[Mount("/toss-sandbox", app=buyer_app(sandbox))])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=shop), base_url="https://shop.example") as c:
            r = await c.get("/toss-sandbox/js/v2/standard")
            assert r.status_code == 200
            assert served_base(r.text) == {"base": "https://shop.example/toss-sandbox", "fixed": False}

    run_async(scenario())


def test_a_configured_public_url_wins():
    async def scenario() -> None:
        app = create_app(SandboxConfig(public_url="https://pay.example/sbx/"))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://internal:8787") as c:
            assert served_base((await c.get("/js/v2/standard")).text) == {
                "base": "https://pay.example/sbx",
                "fixed": True,
            }

    run_async(scenario())


V2_CHECKOUT = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>샘플 결제</title>
<script src="https://js.tosspayments.com/v2/standard"></script></head>
<body><button id="pay">결제하기</button>"""
    + SHOW
    + """<script>
const tossPayments = TossPayments(__CLIENT_KEY__);
const payment = tossPayments.payment({ customerKey: "cust_" + Math.random().toString(36).slice(2, 12) });
document.getElementById("pay").addEventListener("click", () => attempt(() => payment.requestPayment({
  method: "CARD",
  amount: { currency: "KRW", value: 50000 },
  orderId: __ORDER_ID__,
  orderName: "토스 티셔츠 외 2건",
  successUrl: window.location.origin + "/success",
  failUrl: window.location.origin + "/fail",
  customerEmail: "customer123@gmail.com",
  customerName: "김토스",
  card: { useEscrow: false, flowMode: "DEFAULT", useCardPoint: false, useAppCardOnly: false },
})));
</script></body></html>"""
)

V1_CHECKOUT = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>v1 결제</title>
<script src="https://js.tosspayments.com/v1/payment"></script></head>
<body><button id="pay">결제하기</button>"""
    + SHOW
    + """<script>
const tossPayments = TossPayments(__CLIENT_KEY__);
document.getElementById("pay").addEventListener("click", () => attempt(() => tossPayments.requestPayment("카드", {
  amount: 15000, orderId: __ORDER_ID__, orderName: "텀블러", customerName: "김토스",
  successUrl: window.location.origin + "/success", failUrl: window.location.origin + "/fail",
})));
</script></body></html>"""
)


def test_a_copy_served_in_place_of_tosss_v2_url_opens_the_sandbox_window(
    sandbox, sandbox_url, merchant, page, console_errors
):
    asked = reroute_toss(page, sandbox_url)
    page.goto(merchant.page("/v2-checkout", V2_CHECKOUT, CLIENT_KEY=DOCS_CLIENT_KEY, ORDER_ID="order-anywhere-v2"))
    page.get_by_role("button", name="결제하기").click()
    window = payment_window(page)
    assert (
        page.locator('iframe[data-toss-sandbox="window"]')
        .get_attribute("src")
        .startswith(sandbox_url + "/_sandbox/window?")
    )
    expect(window.get_by_text("50,000원")).to_be_visible()
    window.get_by_role("button", name="승인").click()  # the form posts to the sandbox
    query = landed(page, f"{merchant.url}/success")
    assert asked == ["/v2/standard"]
    assert (query["orderId"], query["amount"], query["paymentType"]) == ("order-anywhere-v2", "50000", "NORMAL")
    confirmed = sandbox.post(
        "/v1/payments/confirm",
        headers=basic(DOCS_SECRET_KEY),
        json={"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": query["amount"]},
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "DONE", confirmed.text
    assert console_errors == []


def test_a_copy_served_in_place_of_tosss_v1_url_opens_the_sandbox_window(sandbox, sandbox_url, merchant, page):
    reroute_toss(page, sandbox_url)
    page.goto(merchant.page("/v1-checkout", V1_CHECKOUT, CLIENT_KEY=DOCS_CLIENT_KEY, ORDER_ID="order-anywhere-v1"))
    page.get_by_role("button", name="결제하기").click()
    payment_window(page).get_by_role("button", name="승인").click()
    assert landed(page, f"{merchant.url}/success")["orderId"] == "order-anywhere-v1"


def test_the_windows_primary_button_is_seungin_for_every_method(sandbox, sandbox_url):
    """One test drives them all: 승인 in the card, 가상계좌, transfer, phone, TossPay and billing windows."""
    base = {
        "clientKey": DOCS_CLIENT_KEY,
        "amount": 15000,
        "orderName": "텀블러",
        "successUrl": "https://m.example/s",
        "failUrl": "https://m.example/f",
    }
    for i, method in enumerate(["CARD", "VIRTUAL_ACCOUNT", "TRANSFER", "MOBILE_PHONE", "TOSSPAY", "카드", "가상계좌"]):
        page = sandbox.get("/_sandbox/window", params={**base, "method": method, "orderId": f"order-primary-{i}"})
        assert page.status_code == 200, page.text
        assert '<button class="approve" name="outcome" value="approve">승인</button>' in page.text
    billing = sandbox.get(
        "/_sandbox/billing/window",
        params={
            "clientKey": DOCS_CLIENT_KEY,
            "customerKey": "cust-1",
            "method": "CARD",
            "successUrl": "https://m.example/s",
            "failUrl": "https://m.example/f",
        },
    )
    assert billing.status_code == 200 and ">승인</button>" in billing.text and "자동결제 등록" in billing.text
