"""A buyer in a real browser: sign in, buy, the sandbox window, the receipt — and every way it can go wrong."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.shop.conftest import (
    FAIL_RE,
    SUCCESS_RE,
    authorized_order,
    buy_first_product,
    paid_order,
    sign_in,
    window_frame,
)

pytestmark = pytest.mark.browser


def test_sign_in_buy_approve_shows_receipt_and_records_one_done_payment(page: Page, live):
    sign_in(page, live.url)
    expect(page.locator("html")).to_have_attribute("lang", "ko")  # the pages speak Korean
    product = live.products()[0]
    frame = buy_first_product(page, live.url)
    expect(frame.get_by_text(product["name"])).to_be_visible()
    frame.get_by_role("button", name="승인").click()
    page.wait_for_url(SUCCESS_RE)
    expect(page.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=20_000)
    order_id = parse_qs(urlsplit(page.url).query)["orderId"][0]
    receipt = page.get_by_test_id("receipt")
    for text in (order_id, product["name"], f"{product['price']:,}원", "카드"):
        expect(receipt).to_contain_text(text)

    rows = live.rows("SELECT status, amount, balance_amount FROM payment WHERE order_id = :o", o=order_id)
    assert rows == [{"status": "DONE", "amount": product["price"], "balance_amount": product["price"]}]
    assert len(live.toss_confirms(order_id)) == 1

    page.get_by_role("link", name="주문내역 보기").click()
    expect(page.get_by_test_id("order-row").first).to_contain_text(order_id)
    expect(page.get_by_test_id("order-row").first).to_contain_text("결제 완료")


def test_reloading_success_shows_the_same_receipt_without_a_second_confirm(page: Page, live):
    sign_in(page, live.url)
    buy_first_product(page, live.url).get_by_role("button", name="승인").click()
    page.wait_for_url(SUCCESS_RE)
    expect(page.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=20_000)
    order_id = parse_qs(urlsplit(page.url).query)["orderId"][0]
    before = page.get_by_test_id("receipt").inner_text()
    page.reload()
    expect(page.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=20_000)
    assert page.get_by_test_id("receipt").inner_text() == before
    assert len(live.toss_confirms(order_id)) == 1


@pytest.mark.parametrize(
    ("button", "code"), [("카드 거절", "REJECT_CARD_COMPANY"), ("결제 취소", "PAY_PROCESS_CANCELED")]
)
def test_declined_or_cancelled_window_lands_on_fail_with_the_code(page: Page, live, button, code):
    sign_in(page, live.url)
    buy_first_product(page, live.url).get_by_role("button", name=button).click()
    page.wait_for_url(FAIL_RE)
    expect(page.get_by_test_id("fail-code")).to_have_text(code)
    expect(page.get_by_role("link", name="다시 결제하기")).to_be_visible()
    order_id = parse_qs(urlsplit(page.url).query)["orderId"][0]
    assert live.rows("SELECT id FROM payment WHERE order_id = :o", o=order_id) == []


def test_fail_page_never_shows_placeholder_codes_before_it_knows_the_real_one(page: Page, live):
    # The backend never answers this page's websocket: it stays unhydrated, as every page is
    # for a moment after loading. It must not claim an error code it hasn't read yet.
    page.route_web_socket(re.compile(r".*/_event.*"), lambda ws: None)
    page.goto(live.url + "/fail?code=REJECT_CARD_COMPANY&message=x&orderId=ord_abcdef")
    expect(page.get_by_role("heading", name="결제에 실패했습니다")).to_be_visible()
    page.wait_for_timeout(500)  # time a wrong placeholder would have to show
    assert "UNKNOWN_ERROR" not in page.locator("body").inner_text()
    expect(page.get_by_test_id("fail-code")).to_have_count(0)


def test_closing_the_window_shows_a_toast_and_stays_on_the_product_page(page: Page, live):
    sign_in(page, live.url)
    frame = buy_first_product(page, live.url)
    frame.get_by_role("button", name="닫기").click()
    expect(page.get_by_text("결제를 취소했습니다.")).to_be_visible()
    expect(page.locator("iframe[data-toss-sandbox=window]")).to_have_count(0)
    assert urlsplit(page.url).path in ("/", "")
    # and the buyer can try again
    page.get_by_role("button", name="결제하기").first.click()
    expect(page.locator("iframe[data-toss-sandbox=window]")).to_be_visible()


def test_tampered_amount_on_success_shows_an_error_and_charges_nothing(page: Page, live):
    sign_in(page, live.url)
    order, authorized = authorized_order(live)
    page.goto(f"{live.url}/success?paymentKey={authorized['paymentKey']}&orderId={order['orderId']}&amount=100")
    page.wait_for_url(FAIL_RE)
    expect(page.get_by_test_id("fail-code")).to_have_text("PAYMENT_AMOUNT_MISMATCH")
    assert live.toss_confirms(order["orderId"]) == []
    assert live.rows("SELECT id FROM payment WHERE order_id = :o", o=order["orderId"]) == []


def test_buying_signed_out_asks_to_sign_in_then_returns_to_the_product(page: Page, live):
    product = live.products()[1]
    page.goto(live.url + "/")
    page.locator(f"#product-{product['id']}").get_by_role("button", name="결제하기").click()
    expect(page).to_have_url(re.compile(r".*/login\?next=.*"))
    page.get_by_label("이메일").fill("demo@payapp.local")
    page.get_by_label("비밀번호").fill("demo1234!")
    page.get_by_role("button", name="로그인").click()
    expect(page).to_have_url(re.compile(rf".*/\?product={product['id']}$"))
    expect(page.locator(f"#product-{product['id']}")).to_be_visible()


def test_a_new_buyer_signs_up_on_the_way_and_pays_for_the_quantity_shown(page: Page, live):
    product = live.products()[1]
    card = page.locator(f"#product-{product['id']}")
    page.goto(live.url + "/")
    expect(card.get_by_role("combobox", name="수량")).to_have_text("1")
    card.get_by_role("combobox", name="수량").click()
    page.get_by_role("option", name="3", exact=True).click()
    card.get_by_role("button", name="결제하기").click()
    expect(page).to_have_url(re.compile(r".*/login\?next=.*"))
    page.locator("form").get_by_role("link", name="회원가입").click()  # the form's link, not the navbar's
    expect(page).to_have_url(re.compile(r".*/signup\?next=.*"))
    page.get_by_label("이메일").fill(f"buyer-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_label("비밀번호", exact=True).fill("goodpass123")
    page.get_by_label("비밀번호 확인").fill("goodpass123")
    page.get_by_role("button", name="가입하기").click()
    expect(page).to_have_url(re.compile(rf".*/\?product={product['id']}$"))
    expect(card.get_by_role("combobox", name="수량")).to_have_text("3")  # the quantity picked before
    card.get_by_role("button", name="결제하기").click()
    expect(window_frame(page).get_by_text(f"{product['price'] * 3:,}원")).to_be_visible()


def test_orders_fit_a_phone(phone_page: Page, live):
    paid = paid_order(live, quantity=1)
    sign_in(phone_page, live.url)
    phone_page.goto(live.url + "/orders")
    card = phone_page.get_by_test_id("order-card").filter(has_text=paid["orderId"])
    expect(card).to_be_visible()
    expect(card).to_contain_text("결제 완료")
    expect(card).to_contain_text(f"{paid['amount']:,}원")
    expect(phone_page.get_by_role("table")).to_be_hidden()  # five columns don't fit 390 px
    box = card.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_orders_page_needs_sign_in(page: Page, live):
    page.goto(live.url + "/orders")
    expect(page).to_have_url(re.compile(r".*/login\?next=.*"))
    assert "next=%2Forders" in page.url


def test_fail_page_shows_query_text_as_text_not_markup(page: Page, live):
    page.goto(live.url + "/fail?code=X&message=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%EC%8B%A4%ED%8C%A8")
    expect(page.get_by_role("alert")).to_have_text("<img src=x onerror=alert(1)>실패")
    assert page.locator("img[src=x]").count() == 0
