"""Step 7.3: 결제위젯 and the two key families.

Pages are written the way Toss's widget samples write them (``TossPayments(gck).widgets({customerKey})``,
``setAmount`` first, ``renderPaymentMethods``/``renderAgreement``, ``requestPayment``), with
``js.tosspayments.com`` rerouted to the sandbox.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from payapp.sandbox import (
    DOCS_WIDGET_CLIENT_KEY,
    DOCS_WIDGET_SECRET_KEY,
    SANDBOX_WIDGET_CLIENT_KEY,
    SANDBOX_WIDGET_SECRET_KEY,
)
from tests.conftest import DOCS_CLIENT_KEY, DOCS_SECRET_KEY, basic
from tests.sandbox.flow import assert_error, authorize, confirm
from tests.sandbox.merchant import SHOW, landed, payment_window, reroute_toss, settled

GSK = basic(DOCS_WIDGET_SECRET_KEY)

WIDGET_CHECKOUT = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>결제위젯</title>
<script src="https://js.tosspayments.com/v2/standard"></script></head>
<body><div id="payment-method"></div><div id="agreement"></div>
<button id="pay">결제하기</button>"""
    + SHOW
    + """<script>
const opts = __OPTIONS__;
main();
async function main() {
  const widgets = TossPayments(__CLIENT_KEY__).widgets({ customerKey: "cust_" + Math.random().toString(36).slice(2, 12) });
  if (!opts.skipAmount) { await widgets.setAmount({ currency: "KRW", value: 50000 }); }
  try {
    await Promise.all([
      widgets.renderPaymentMethods({ selector: "#payment-method", variantKey: "DEFAULT" }),
      widgets.renderAgreement({ selector: "#agreement", variantKey: "AGREEMENT" }),
    ]);
  } catch (e) { show("rejected", { code: e.code, message: e.message }); return; }
  document.getElementById("pay").addEventListener("click", () => attempt(() => widgets.requestPayment({
    orderId: __ORDER_ID__, orderName: "토스 티셔츠 외 2건",
    successUrl: opts.promise ? undefined : window.location.origin + "/widget/success",
    failUrl: opts.promise ? undefined : window.location.origin + "/fail",
    customerEmail: "customer123@gmail.com", customerName: "김토스", customerMobilePhone: "01012341234",
  })));
}
</script></body></html>"""
)


def open_widget(
    page, sandbox_url, merchant, order_id: str, client_key: str = DOCS_WIDGET_CLIENT_KEY, **options
) -> None:
    reroute_toss(page, sandbox_url)
    page.goto(
        merchant.page(f"/widget-{order_id}", WIDGET_CHECKOUT, CLIENT_KEY=client_key, ORDER_ID=order_id, OPTIONS=options)
    )


def test_the_widget_draws_the_five_methods_with_one_chosen(sandbox, sandbox_url, merchant, page, console_errors):
    open_widget(page, sandbox_url, merchant, "order-widget-draw")
    radios = page.locator("#payment-method").get_by_role("radio")
    expect(radios).to_have_count(5)
    labels = [label.inner_text().strip() for label in page.locator("#payment-method label").all()]
    assert labels == ["카드", "계좌이체", "가상계좌", "휴대폰", "토스페이"]
    expect(page.get_by_role("radio", name="카드")).to_be_checked()
    expect(page.locator("#agreement").get_by_role("checkbox")).to_be_checked()
    expect(page.get_by_text("결제 금액 50,000원")).to_be_visible()
    assert console_errors == []


def test_a_card_widget_payment_lands_with_payment_type_and_is_confirmed_with_the_gsk(
    sandbox, sandbox_url, merchant, page
):
    open_widget(page, sandbox_url, merchant, "order-widget-card")
    page.get_by_role("button", name="결제하기").click()
    window = payment_window(page)
    expect(window.get_by_text("카드", exact=True)).to_be_visible()
    window.get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/widget/success")
    assert query.keys() == {"paymentType", "orderId", "paymentKey", "amount"}
    assert (query["paymentType"], query["orderId"], query["amount"]) == ("NORMAL", "order-widget-card", "50000")
    body = {"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": query["amount"]}
    # A mixed set: the individual secret key on a widget payment.
    assert_error(
        sandbox.post("/v1/payments/confirm", headers=basic(DOCS_SECRET_KEY), json=body), 400, "INVALID_API_KEY"
    )
    done = sandbox.post("/v1/payments/confirm", headers=GSK, json=body)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["method"], done.json()["mId"]) == ("DONE", "카드", "tosswidgetdocs")


@pytest.mark.parametrize(
    ("label", "shown", "method", "status"),
    [
        ("가상계좌", "입금 은행", "가상계좌", "WAITING_FOR_DEPOSIT"),
        ("계좌이체", "출금 은행", "계좌이체", "DONE"),
        ("휴대폰", "010-****-1234", "휴대폰", "DONE"),
        ("토스페이", "토스페이", "간편결제", "DONE"),
    ],
)
def test_choosing_a_method_changes_what_the_window_shows(
    sandbox, sandbox_url, merchant, page, label, shown, method, status
):
    order_id = f"order-widget-{method.encode().hex()[:12]}"
    open_widget(page, sandbox_url, merchant, order_id)
    page.get_by_role("radio", name=label).check()
    page.get_by_role("button", name="결제하기").click()
    window = payment_window(page)
    expect(window.get_by_text(method, exact=True)).to_be_visible()
    expect(window.get_by_text(shown, exact=True).first).to_be_visible()
    window.get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/widget/success")
    done = sandbox.post(
        "/v1/payments/confirm",
        headers=GSK,
        json={"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": query["amount"]},
    ).json()
    assert (done["method"], done["status"]) == (method, status)
    if method == "휴대폰":
        assert done["mobilePhone"]["customerMobilePhone"] == "01012341234"


def test_promise_mode_resolves_the_widget_result(sandbox, sandbox_url, merchant, page):
    open_widget(page, sandbox_url, merchant, "order-widget-promise", promise=True)
    page.get_by_role("button", name="결제하기").click()
    payment_window(page).get_by_role("button", name="승인").click()
    kind, result = settled(page)
    assert kind == "resolved" and result.keys() == {"paymentType", "paymentKey", "orderId", "amount"}
    assert (result["paymentType"], result["amount"]) == ("NORMAL", {"currency": "KRW", "value": 50000})


def test_set_amount_must_come_first(sandbox, sandbox_url, merchant, page):
    open_widget(page, sandbox_url, merchant, "order-widget-noamount", skipAmount=True)
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", "NOT_SETUP_AMOUNT")


def test_the_required_terms_must_be_agreed(sandbox, sandbox_url, merchant, page):
    open_widget(page, sandbox_url, merchant, "order-widget-terms")
    page.locator("#agreement").get_by_role("checkbox").uncheck()
    page.get_by_role("button", name="결제하기").click()
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", "NEED_AGREEMENT_WITH_REQUIRED_TERMS")
    expect(page.locator('iframe[data-toss-sandbox="window"]')).to_have_count(0)


def test_the_sandboxs_own_widget_pair(sandbox, sandbox_url, merchant, page):
    open_widget(page, sandbox_url, merchant, "order-widget-own", client_key=SANDBOX_WIDGET_CLIENT_KEY)
    page.get_by_role("button", name="결제하기").click()
    payment_window(page).get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/widget/success")
    done = sandbox.post(
        "/v1/payments/confirm",
        headers=basic(SANDBOX_WIDGET_SECRET_KEY),
        json={"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": query["amount"]},
    )
    assert done.status_code == 200 and done.json()["mId"] == "tpayappwgt", done.text


KEY_FAMILY_PAGE = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>키</title>
<script src="https://js.tosspayments.com/v2/standard"></script></head><body>"""
    + SHOW
    + """<script>
attempt(() => __CALL__);
</script></body></html>"""
)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (
            f'TossPayments("{DOCS_CLIENT_KEY}").widgets({{customerKey: TossPayments.ANONYMOUS}})',
            "NOT_SUPPORTED_API_INDIVIDUAL_KEY",
        ),
        (
            f'TossPayments("{DOCS_WIDGET_CLIENT_KEY}").payment({{customerKey: TossPayments.ANONYMOUS}})',
            "NOT_SUPPORTED_WIDGET_KEY",
        ),
        (f'TossPayments("{DOCS_WIDGET_CLIENT_KEY}").brandpay({{customerKey: "cust-01"}})', "NOT_SUPPORTED_WIDGET_KEY"),
        (f'TossPayments("{DOCS_WIDGET_SECRET_KEY}")', "INSECURE_KEY_USAGE"),
        (
            f'TossPayments("{DOCS_WIDGET_CLIENT_KEY}").widgets({{customerKey: "{DOCS_WIDGET_SECRET_KEY}"}})',
            "INSECURE_KEY_USAGE",
        ),
        ('TossPayments("nope").widgets({customerKey: "cust-01"})', "INVALID_CLIENT_KEY"),
    ],
    ids=[
        "ck-to-widgets",
        "gck-to-payment",
        "gck-to-brandpay",
        "secret-as-client-key",
        "secret-as-customer-key",
        "bad-client-key",
    ],
)
def test_key_family_errors_in_the_sdk(sandbox, sandbox_url, merchant, page, call, code):
    reroute_toss(page, sandbox_url)
    page.goto(merchant.page(f"/keys-{code}", KEY_FAMILY_PAGE.replace("__CALL__", call)))
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", code)


@pytest.mark.parametrize(
    ("client_key", "integration", "code"),
    [
        (DOCS_WIDGET_CLIENT_KEY, "payment", "NOT_SUPPORTED_WIDGET_KEY"),
        (DOCS_CLIENT_KEY, "widget", "NOT_SUPPORTED_API_INDIVIDUAL_KEY"),
    ],
)
def test_the_window_refuses_a_key_of_the_other_family(sandbox, client_key, integration, code):
    r = sandbox.get(
        "/_sandbox/window",
        params={
            "clientKey": client_key,
            "integration": integration,
            "method": "CARD",
            "amount": 1000,
            "orderId": "order-family-1",
            "orderName": "x",
        },
    )
    assert r.status_code == 400 and code in r.text
    assert sandbox.get("/_sandbox/payments").json()["count"] == 0


def test_a_mixed_pair_at_the_api_is_invalid_api_key(sandbox, docs_auth):
    widget = authorize(sandbox, client_key=DOCS_WIDGET_CLIENT_KEY)
    assert_error(confirm(sandbox, widget, docs_auth), 400, "INVALID_API_KEY")
    assert_error(sandbox.get(f"/v1/payments/{widget['paymentKey']}", headers=docs_auth), 400, "INVALID_API_KEY")
    window = authorize(sandbox)
    assert_error(confirm(sandbox, window, GSK), 400, "INVALID_API_KEY")
    # Nothing changed: each is confirmed with its own family's key.
    assert confirm(sandbox, widget, GSK).json()["status"] == "DONE"
    assert confirm(sandbox, window, docs_auth).json()["status"] == "DONE"


WINDOW_WIDGET = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>결제창형 결제위젯</title>
<script src="https://js.tosspayments.com/v2/standard"></script></head>
<body><button id="open">결제창 열기</button>"""
    + SHOW
    + """<script>
const widgets = TossPayments(__CLIENT_KEY__).widgets({ customerKey: TossPayments.ANONYMOUS });
document.getElementById("open").addEventListener("click", async () => {
  await widgets.setAmount({ currency: "KRW", value: 30000 });
  if (__RENDER__) {
    const win = await widgets.renderPaymentWindow({ variantKey: { paymentMethod: "DEFAULT", agreement: "AGREEMENT" } });
    win.on("paymentRequest", async () => {
      attempt(() => widgets.requestPayment({ orderId: __ORDER_ID__, orderName: "토스 티셔츠 외 2건",
        successUrl: window.location.origin + "/widget/success", failUrl: window.location.origin + "/fail" }));
    });
  } else {
    attempt(() => widgets.requestPaymentWindow({ orderId: __ORDER_ID__, orderName: "토스 티셔츠 외 2건",
      amount: { currency: "KRW", value: 30000 },
      successUrl: window.location.origin + "/widget/success", failUrl: window.location.origin + "/fail" },
      { variantKey: { paymentMethod: "DEFAULT", agreement: "AGREEMENT" } }));
  }
});
</script></body></html>"""
)


@pytest.mark.parametrize("render", [True, False], ids=["renderPaymentWindow", "requestPaymentWindow"])
def test_the_widget_payment_window(sandbox, sandbox_url, merchant, page, render):
    order_id = f"order-widget-window-{int(render)}"
    reroute_toss(page, sandbox_url)
    page.goto(
        merchant.page(
            f"/widget-window-{int(render)}",
            WINDOW_WIDGET,
            CLIENT_KEY=DOCS_WIDGET_CLIENT_KEY,
            ORDER_ID=order_id,
            RENDER=render,
        )
    )
    page.get_by_role("button", name="결제창 열기").click()
    picker = page.get_by_role("dialog", name="결제위젯 결제창")
    picker.get_by_role("radio", name="가상계좌").check()
    picker.get_by_role("button", name="결제하기").click()
    window = payment_window(page)
    expect(window.get_by_text("가상계좌", exact=True)).to_be_visible()
    window.get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/widget/success")
    assert (query["paymentType"], query["orderId"], query["amount"]) == ("NORMAL", order_id, "30000")


V1_WIDGET = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>v1 위젯</title>
<script src="https://js.tosspayments.com/v1/payment-widget"></script></head>
<body><div id="payment-method"></div><div id="agreement"></div><button id="pay">결제하기</button>"""
    + SHOW
    + """
<script>
const paymentWidget = PaymentWidget(__CLIENT_KEY__, PaymentWidget.ANONYMOUS);
const methods = paymentWidget.renderPaymentMethods("#payment-method", { value: 15000 }, { variantKey: "DEFAULT" });
paymentWidget.renderAgreement("#agreement", { variantKey: "AGREEMENT" });
methods.updateAmount(20000);
document.getElementById("pay").addEventListener("click", () => attempt(() => paymentWidget.requestPayment({
  orderId: __ORDER_ID__, orderName: "텀블러", successUrl: window.location.origin + "/success",
  failUrl: window.location.origin + "/fail" })));
</script></body></html>"""
)


def test_the_v1_payment_widget(sandbox, sandbox_url, merchant, page):
    reroute_toss(page, sandbox_url)
    page.goto(merchant.page("/v1-widget", V1_WIDGET, CLIENT_KEY=DOCS_WIDGET_CLIENT_KEY, ORDER_ID="order-v1-widget"))
    expect(page.get_by_role("radio", name="카드")).to_be_checked()
    page.get_by_role("button", name="결제하기").click()
    payment_window(page).get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/success")
    assert (query["orderId"], query["amount"], query["paymentType"]) == ("order-v1-widget", "20000", "NORMAL")
