"""The SDK stand-in and the payment window in chromium, loaded the way a real shop loads Toss.

A tiny "shop" on its own origin serves a page that imports the official npm loader
(``@tosspayments/payment-sdk``'s ``loadTossPayments``) and points its ``src`` at the
sandbox; the buyer then clicks through the window like a person would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import FrameLocator, Page, expect

from tests.conftest import SANDBOX_CLIENT_KEY
from tests.sandbox.merchant import PageHandler
from tests.support.servers import ROOT

pytestmark = pytest.mark.browser

LOADER = ROOT / ".tools" / "node_modules" / "@tosspayments" / "payment-sdk" / "dist" / "tosspayments.esm.js"
WINDOW = 'iframe[data-toss-sandbox="window"]'

CHECKOUT_PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>테스트 상점</title></head>
<body>
<h1>테스트 상점</h1>
<button id="pay" type="button">결제하기</button>
<pre id="result"></pre>
<script type="module">
import { loadTossPayments } from "/loader/tosspayments.esm.js";

const SANDBOX = __SANDBOX__;
const order = JSON.parse(new URLSearchParams(location.search).get("req"));

function show(kind, value) {
  const el = document.getElementById("result");
  el.textContent = JSON.stringify(value);
  el.dataset.kind = kind;
}

document.getElementById("pay").addEventListener("click", () => {
  loadTossPayments(order.clientKey, { src: SANDBOX + "/_sandbox/sdk.js" })
    .then((tp) => order.api === "v2"
      ? tp.payment({ customerKey: order.customerKey }).requestPayment(order.params)
      : tp.requestPayment(order.method, order.params))
    .then(
      (result) => show("resolved", result ?? null),
      (error) => show("rejected", { code: error.code ?? error.name, message: error.message, orderId: error.orderId }),
    );
});
</script>
</body></html>
"""

RESULT_PAGE = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1></body></html>"""


class Shop(ThreadingHTTPServer):
    daemon_threads = True
    sandbox_url = ""


class ShopHandler(PageHandler):
    """The merchant's side: checkout page, a served copy of the loader, success and fail pages."""

    server: Shop

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if path == "/checkout":
            body = CHECKOUT_PAGE.replace("__SANDBOX__", json.dumps(self.server.sandbox_url))
            self._send(200, "text/html; charset=utf-8", body.encode())
        elif path == "/loader/tosspayments.esm.js":
            self._send(200, "text/javascript; charset=utf-8", LOADER.read_bytes())
        elif path in ("/pay/success", "/pay/fail"):
            title = "결제 성공" if path.endswith("success") else "결제 실패"
            self._send(200, "text/html; charset=utf-8", RESULT_PAGE.format(title=title).encode())
        elif path == "/favicon.ico":
            self._send(204, "image/x-icon", b"")
        else:
            self._send(404, "text/plain", b"not found")


@pytest.fixture(scope="session")
def merchant_url(sandbox_url: str) -> Iterator[str]:
    """A stand-in merchant on its own port, reached as ``localhost`` (the sandbox is ``127.0.0.1``)."""
    if not LOADER.exists():
        pytest.fail("the official loader is missing: run `make tools`", pytrace=False)
    server = Shop(("127.0.0.1", 0), ShopHandler)
    server.sandbox_url = sandbox_url
    thread = threading.Thread(target=server.serve_forever, name="test-shop", daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def order(merchant_url: str, order_id: str, **changes: Any) -> dict[str, Any]:
    """A v1 card request as a shop sends it; ``changes`` of None drop a field."""
    params = {
        "amount": 15000,
        "orderId": order_id,
        "orderName": "텀블러 외 2건",
        "customerName": "김토스",
        "successUrl": f"{merchant_url}/pay/success?shop=1",
        "failUrl": f"{merchant_url}/pay/fail",
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


def checkout(
    page: Page,
    merchant_url: str,
    params: dict[str, Any],
    method: str = "카드",
    api: str = "v1",
    customer_key: str = "@@ANONYMOUS",
    client_key: str = SANDBOX_CLIENT_KEY,
) -> None:
    """Open the shop's checkout page and press its pay button."""
    req = {"clientKey": client_key, "api": api, "method": method, "customerKey": customer_key, "params": params}
    page.goto(f"{merchant_url}/checkout?req={quote(json.dumps(req))}")
    page.get_by_role("button", name="결제하기").click()


def payment_window(page: Page) -> FrameLocator:
    expect(page.locator(WINDOW)).to_be_visible()
    return page.frame_locator(WINDOW)


def settled(page: Page) -> tuple[str, dict[str, Any]]:
    """How the SDK's promise settled on the shop page: ("resolved"|"rejected", value)."""
    result = page.locator("#result[data-kind]")
    expect(result).to_be_attached()
    return result.get_attribute("data-kind") or "", json.loads(result.text_content() or "null")


def landed(page: Page, url: str) -> dict[str, str]:
    """Wait for the browser to land on ``url`` (any query) and return that query."""
    page.wait_for_url(lambda current: current.split("?", 1)[0] == url)
    return dict(parse_qsl(urlsplit(page.url).query))


def test_approve_lands_on_success_url_and_the_server_confirms(
    sandbox, sandbox_auth, merchant_url, page, console_errors
):
    checkout(page, merchant_url, order(merchant_url, "order-br-approve"))
    window = payment_window(page)
    expect(window.get_by_text("텀블러 외 2건")).to_be_visible()
    expect(window.get_by_text("15,000원")).to_be_visible()
    window.get_by_role("button", name="승인").click()

    query = landed(page, f"{merchant_url}/pay/success")
    assert query.keys() == {"shop", "paymentType", "orderId", "paymentKey", "amount"}
    assert (query["shop"], query["paymentType"], query["orderId"], query["amount"]) == (
        "1",
        "NORMAL",
        "order-br-approve",
        "15000",
    )
    assert sandbox.get(f"/v1/payments/{query['paymentKey']}", headers=sandbox_auth).json()["status"] == "IN_PROGRESS"

    confirmed = sandbox.post(
        "/v1/payments/confirm",
        headers=sandbox_auth,
        json={"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": int(query["amount"])},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "DONE"
    assert confirmed.json()["totalAmount"] == 15000
    assert console_errors == []


def test_double_click_on_approve_still_lands_on_success_url(sandbox, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-dblclick"))
    payment_window(page).get_by_role("button", name="승인").dblclick()
    assert landed(page, f"{merchant_url}/pay/success")["orderId"] == "order-br-dblclick"
    assert [p["status"] for p in sandbox.get("/_sandbox/payments").json()["data"]] == ["IN_PROGRESS"]


def test_card_reject_lands_on_fail_url(sandbox, sandbox_auth, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-reject"))
    payment_window(page).get_by_role("button", name="카드 거절").click()
    query = landed(page, f"{merchant_url}/pay/fail")
    assert query == {
        "code": "REJECT_CARD_COMPANY",
        "message": "결제 승인이 거절되었습니다.",
        "orderId": "order-br-reject",
    }
    payments = sandbox.get("/_sandbox/payments", params={"orderId": "order-br-reject"}).json()["data"]
    assert [(p["status"], p["failure"]) for p in payments] == [("READY", None)]  # never approved, expires


def test_buyer_cancel_lands_on_fail_url(sandbox, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-cancel"))
    payment_window(page).get_by_role("button", name="결제 취소").click()
    query = landed(page, f"{merchant_url}/pay/fail")
    assert query["code"] == "PAY_PROCESS_CANCELED"
    assert query["message"] == "사용자에 의해 결제가 취소되었습니다."


def test_closing_the_window_rejects_with_user_cancel_and_the_shop_page_stays(
    sandbox, merchant_url, page, console_errors
):
    checkout(page, merchant_url, order(merchant_url, "order-br-close"))
    checkout_url = page.url
    payment_window(page).get_by_role("button", name="닫기").click()
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", "USER_CANCEL")
    assert error["orderId"] == "order-br-close"
    assert page.url == checkout_url
    expect(page.locator("[data-toss-sandbox]")).to_have_count(0)
    assert console_errors == []


def test_window_can_open_again_after_it_was_closed(sandbox, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-reopen"))
    payment_window(page).get_by_role("button", name="닫기").click()
    expect(page.locator("#result")).to_have_attribute("data-kind", "rejected")
    page.get_by_role("button", name="결제하기").click()
    payment_window(page).get_by_role("button", name="승인").click()
    assert landed(page, f"{merchant_url}/pay/success")["orderId"] == "order-br-reopen"


def test_unknown_client_key_shows_an_error_in_the_window_that_can_be_closed(sandbox, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-badkey"), client_key="test_ck_unknownMerchant000000000")
    window = payment_window(page)
    expect(window.get_by_text("UNAUTHORIZED_KEY")).to_be_visible()
    window.get_by_role("button", name="닫기").click()
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", "USER_CANCEL")
    expect(page.locator("[data-toss-sandbox]")).to_have_count(0)


def test_cancel_payment_closes_the_window_and_settles_the_promise(sandbox, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-abort"))
    payment_window(page)
    page.evaluate("key => window.TossPayments(key).cancelPayment()", SANDBOX_CLIENT_KEY)
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", "PAYMENT_REQUEST_ABORTED")
    expect(page.locator("[data-toss-sandbox]")).to_have_count(0)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"orderId": "abc12"}, id="orderId-5-chars"),
        pytest.param({"orderId": "order/0001"}, id="orderId-slash"),
        pytest.param({"orderName": "가" * 101}, id="orderName-101-chars"),
        pytest.param({"successUrl": "/pay/success"}, id="relative-successUrl"),
        pytest.param({"failUrl": None}, id="successUrl-without-failUrl"),
        pytest.param({"amount": "15000"}, id="amount-as-string"),
        pytest.param({"amount": 0}, id="amount-zero"),
        pytest.param({"amount": 1500.5}, id="amount-fraction"),
        pytest.param({"windowTarget": "popup"}, id="windowTarget-popup"),
    ],
)
def test_bad_params_reject_with_invalid_parameter_and_open_no_window(sandbox, merchant_url, page, changes):
    checkout(page, merchant_url, order(merchant_url, "order-br-invalid", **changes))
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", "INVALID_PARAMETER")
    assert error["message"]
    expect(page.locator("[data-toss-sandbox]")).to_have_count(0)
    assert sandbox.get("/_sandbox/payments").json()["count"] == 0


def test_english_method_name_opens_a_card_window(sandbox, sandbox_auth, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-english"), method="CARD")
    window = payment_window(page)
    expect(window.get_by_text("카드", exact=True)).to_be_visible()
    window.get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant_url}/pay/success")
    payment = sandbox.get(f"/v1/payments/{query['paymentKey']}", headers=sandbox_auth).json()
    assert payment["method"] == "카드"


def test_v2_payment_surface_lands_on_success_url(sandbox, merchant_url, page):
    params = order(merchant_url, "order-br-v2", amount={"currency": "KRW", "value": 15000})
    params["method"] = "CARD"
    checkout(page, merchant_url, params, api="v2", customer_key="customer-0001")
    payment_window(page).get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant_url}/pay/success")
    assert (query["orderId"], query["amount"], query["paymentType"]) == ("order-br-v2", "15000", "NORMAL")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (15000, "INVALID_AMOUNT_VALUE"),
        ({"currency": "KRW", "value": "15000"}, "INVALID_AMOUNT_VALUE"),
        ({"currency": "USD", "value": 15}, "INVALID_AMOUNT_CURRENCY"),
        ({"currency": "KRW", "value": 0}, "BELOW_ZERO_AMOUNT"),
    ],
    ids=["number", "string-value", "usd", "zero"],
)
def test_v2_amount_must_be_krw_currency_and_number_value(sandbox, merchant_url, page, amount, code):
    # v2 has a code per mistake (toss-api.md §4.6), not v1's catch-all INVALID_PARAMETER.
    params = order(merchant_url, "order-br-v2-bad", amount=amount)
    params["method"] = "CARD"
    checkout(page, merchant_url, params, api="v2")
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", code)


def test_v2_rejects_a_bad_customer_key(sandbox, merchant_url, page):
    params = order(merchant_url, "order-br-v2-ck", amount={"currency": "KRW", "value": 15000})
    params["method"] = "CARD"
    checkout(page, merchant_url, params, api="v2", customer_key="x")
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", "INVALID_CUSTOMER_KEY")


def test_window_target_self_runs_the_window_in_the_whole_tab(sandbox, sandbox_url, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-self", windowTarget="self"))
    page.wait_for_url(f"{sandbox_url}/_sandbox/window?**")
    expect(page.get_by_text("15,000원")).to_be_visible()
    page.get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant_url}/pay/success")
    assert (query["shop"], query["orderId"], query["paymentType"]) == ("1", "order-br-self", "NORMAL")


def test_window_target_self_close_button_goes_to_fail_url(sandbox, sandbox_url, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-self-x", windowTarget="self"))
    page.wait_for_url(f"{sandbox_url}/_sandbox/window?**")
    page.get_by_role("button", name="닫기").click()
    assert landed(page, f"{merchant_url}/pay/fail")["code"] == "PAY_PROCESS_CANCELED"


def test_promise_mode_resolves_payment_key_order_id_and_amount(sandbox, sandbox_auth, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-promise", successUrl=None, failUrl=None))
    checkout_url = page.url
    payment_window(page).get_by_role("button", name="승인").click()
    kind, result = settled(page)
    assert kind == "resolved"
    assert result.keys() == {"paymentKey", "orderId", "amount"}
    assert (result["orderId"], result["amount"]) == ("order-br-promise", 15000)
    assert page.url == checkout_url
    expect(page.locator("[data-toss-sandbox]")).to_have_count(0)
    confirmed = sandbox.post("/v1/payments/confirm", headers=sandbox_auth, json=result)
    assert confirmed.json()["status"] == "DONE", confirmed.text


def test_promise_mode_v2_resolves_amount_as_an_object(sandbox, merchant_url, page):
    params = order(
        merchant_url, "order-br-promise2", successUrl=None, failUrl=None, amount={"currency": "KRW", "value": 15000}
    )
    params["method"] = "CARD"
    checkout(page, merchant_url, params, api="v2")
    payment_window(page).get_by_role("button", name="승인").click()
    kind, result = settled(page)
    assert kind == "resolved"
    assert result["amount"] == {"currency": "KRW", "value": 15000}


def test_promise_mode_card_reject_rejects_with_the_code(sandbox, merchant_url, page):
    checkout(page, merchant_url, order(merchant_url, "order-br-promise-rej", successUrl=None, failUrl=None))
    payment_window(page).get_by_role("button", name="카드 거절").click()
    kind, error = settled(page)
    assert (kind, error["code"], error["orderId"]) == ("rejected", "REJECT_CARD_COMPANY", "order-br-promise-rej")


def test_window_fits_a_phone_screen(sandbox, merchant_url, phone_page):
    checkout(phone_page, merchant_url, order(merchant_url, "order-br-phone"))
    window = payment_window(phone_page)
    box = phone_page.locator(WINDOW).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    approve = window.get_by_role("button", name="승인")
    expect(approve).to_be_in_viewport()
    approve.click()
    assert landed(phone_page, f"{merchant_url}/pay/success")["orderId"] == "order-br-phone"


async def test_async_tests_still_run_while_the_session_browser_is_open(sandbox_url):
    """The session-long Playwright must not leave its loop marked running (see tests/support/browser.py)."""
    async with httpx.AsyncClient(base_url=sandbox_url) as client:
        assert (await client.get("/_sandbox/health")).status_code == 200
