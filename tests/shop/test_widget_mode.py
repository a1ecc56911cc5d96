"""결제위젯 mode (TOSS_INTEGRATION=widget): with no keys the shop uses the sandbox's own widget
pair (gck in the browser, gsk for the confirm) and draws Toss's widget, through the v2 SDK's
official loader, for the order the server prepared. The buyer picks a method in the widget and
pays; the same confirm settles it, once."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from payapp.sandbox.config import DEFAULT_KEY_PAIRS, SANDBOX_WIDGET_CLIENT_KEY
from tests.shop.conftest import FAIL_RE, SUCCESS_RE, LiveShop, sign_in, window_frame
from tests.support.app import run_shop

pytestmark = pytest.mark.browser

WIDGET_MID = next(p.mid for p in DEFAULT_KEY_PAIRS if p.client_key == SANDBOX_WIDGET_CLIENT_KEY)


@pytest.fixture(scope="module")
def widget_shop() -> Iterator[LiveShop]:
    with run_shop({"TOSS_INTEGRATION": "widget"}) as url:
        yield LiveShop(url)


def open_widget(page: Page, shop: LiveShop, product_index: int = 0):
    """Signed in: 결제하기 on a product draws the widget for its prepared order."""
    page.goto(shop.url + "/")
    expect(page.get_by_test_id("method-picker")).to_have_count(0)  # Toss's widget picks, not ours
    page.get_by_role("button", name="결제하기", exact=True).nth(product_index).click()
    checkout = page.get_by_test_id("widget-checkout")
    expect(checkout.get_by_role("radiogroup", name="결제 방법")).to_be_visible()
    return checkout


def test_a_purchase_in_widget_mode_ends_done_confirmed_once(page: Page, widget_shop: LiveShop):
    shop = widget_shop
    sign_in(page, shop.url)
    product = shop.products()[0]
    checkout = open_widget(page, shop)
    # The methods Toss's widget draws; the amount is the prepared order's.
    for label in ("카드", "계좌이체", "가상계좌", "휴대폰", "토스페이"):
        expect(checkout.get_by_role("radio", name=label, exact=True)).to_be_visible()
    expect(checkout).to_contain_text(f"결제 금액 {product['price']:,}원")
    pay = checkout.get_by_role("button", name=f"{product['price']:,}원 결제하기")
    expect(pay).to_be_enabled()

    checkout.get_by_role("radio", name="계좌이체", exact=True).check()
    pay.click()
    window_frame(page).get_by_role("button", name="승인").click()
    page.wait_for_url(SUCCESS_RE)
    query = parse_qs(urlsplit(page.url).query)
    assert query["paymentType"] == ["NORMAL"]
    order_id = query["orderId"][0]
    expect(page.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("receipt")).to_contain_text("계좌이체")

    rows = shop.rows("SELECT status, method, amount FROM payment WHERE order_id = :o", o=order_id)
    assert rows == [{"status": "DONE", "method": "계좌이체", "amount": product["price"]}]
    confirms = shop.toss_confirms(order_id)
    # Confirmed once, with the sandbox widget pair's gsk (its merchant), by the same server confirm.
    assert [(c["status"], c["mId"]) for c in confirms] == [(200, WIDGET_MID)]

    page.goto(shop.url + "/")  # the paid order's widget is gone: nothing to pay twice
    expect(page.get_by_test_id("toss-widget-pay")).to_have_count(0)


def test_the_widget_runs_toss_v2_script_with_the_widget_client_key(page: Page, widget_shop: LiveShop):
    shop = widget_shop
    sign_in(page, shop.url)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(urlsplit(r.url).path) if r.resource_type == "script" else None)
    checkout = open_widget(page, shop)
    assert "/toss-sandbox/js/v2/standard" in scripts  # the v2 loader's src: Toss's own script path
    with page.expect_request("**/_sandbox/window?**") as opened:
        checkout.get_by_test_id("toss-widget-pay").click()
    query = parse_qs(urlsplit(opened.value.url).query)
    assert query["clientKey"] == [SANDBOX_WIDGET_CLIENT_KEY]  # gck in the browser; gsk stays on the server
    assert not any("_gsk_" in v or "_sk_" in v for values in query.values() for v in values)


def test_a_cancelled_window_lands_on_fail_and_a_new_order_pays(page: Page, widget_shop: LiveShop):
    shop = widget_shop
    sign_in(page, shop.url)
    checkout = open_widget(page, shop, product_index=1)
    checkout.get_by_test_id("toss-widget-pay").click()
    window_frame(page).get_by_role("button", name="결제 취소").click()
    page.wait_for_url(FAIL_RE)  # v2 redirect mode: a cancel goes to failUrl
    expect(page.get_by_test_id("fail-code")).to_have_text("PAY_PROCESS_CANCELED")
    cancelled = parse_qs(urlsplit(page.url).query)["orderId"][0]

    page.get_by_role("button", name="다시 결제하기").click()
    page.wait_for_url(shop.url + "/")
    expect(page.get_by_test_id("toss-widget-pay")).to_have_count(0)  # the cancelled order is gone
    checkout = open_widget(page, shop, product_index=1)
    checkout.get_by_test_id("toss-widget-pay").click()
    window_frame(page).get_by_role("button", name="승인").click()
    page.wait_for_url(SUCCESS_RE)
    expect(page.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=20_000)
    order_id = parse_qs(urlsplit(page.url).query)["orderId"][0]
    assert order_id != cancelled
    assert shop.rows("SELECT status FROM payment WHERE order_id = :o", o=order_id) == [{"status": "DONE"}]
    assert shop.rows("SELECT status FROM payment WHERE order_id = :o AND status = 'DONE'", o=cancelled) == []
