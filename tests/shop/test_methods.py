"""Our own method picker (API 개별 연동): each method opens Toss's window for it and ends in a
receipt through the same prepare → window → confirm path; a 가상계좌 waits for its deposit."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from payapp.formatting import bank_name, kst_text
from payapp.settings import SANDBOX_PREFIX
from tests.shop.conftest import SUCCESS_RE, sign_in, window_frame

pytestmark = pytest.mark.browser

# The picker's label → Payment.method as Toss answers it.
PAID_METHODS = {"카드": "카드", "토스페이": "간편결제", "계좌이체": "계좌이체", "휴대폰": "휴대폰"}


def pay_with(page: Page, base: str, method: str) -> str:
    """Pick ``method``, buy the first product, press 승인; returns the orderId on /success."""
    page.goto(base + "/")
    page.get_by_role("radio", name=method, exact=True).click()
    expect(page.get_by_role("radio", name=method, exact=True)).to_be_checked()
    page.get_by_role("button", name="결제하기").first.click()
    window_frame(page).get_by_role("button", name="승인").click()
    page.wait_for_url(SUCCESS_RE)
    return parse_qs(urlsplit(page.url).query)["orderId"][0]


@pytest.mark.parametrize("method", list(PAID_METHODS))
def test_each_method_pays_through_the_same_path_and_ends_done(page: Page, live, method):
    sign_in(page, live.url)
    order_id = pay_with(page, live.url, method)
    expect(page.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("receipt")).to_contain_text(PAID_METHODS[method])
    rows = live.rows("SELECT status, method FROM payment WHERE order_id = :o", o=order_id)
    assert rows == [{"status": "DONE", "method": PAID_METHODS[method]}]
    assert len(live.toss_confirms(order_id)) == 1


def test_virtual_account_waits_for_the_deposit_then_orders_show_done_without_reload(page: Page, live):
    sandbox = live.url + SANDBOX_PREFIX
    httpx.post(
        sandbox + "/_sandbox/webhooks", json={"url": live.url + "/v1/webhooks/toss"}, timeout=10
    ).raise_for_status()
    try:
        sign_in(page, live.url)
        product = live.products()[0]
        order_id = pay_with(page, live.url, "가상계좌")
        expect(page.get_by_role("heading", name="가상계좌가 발급되었습니다")).to_be_visible(timeout=20_000)
        receipt = page.get_by_test_id("receipt")
        row = live.rows("SELECT status, payment_key, raw FROM payment WHERE order_id = :o", o=order_id)[0]
        assert row["status"] == "WAITING_FOR_DEPOSIT"
        va = json.loads(row["raw"])["virtualAccount"]
        expect(page.get_by_text("입금 대기", exact=True)).to_be_visible()  # the status badge
        for text in (
            "입금 은행",
            "입금 기한",
            f"{kst_text(va['dueDate'])} (KST)",
            f"{product['price']:,}원",
            bank_name(va["bankCode"]),
        ):
            expect(receipt).to_contain_text(text)
        expect(page.get_by_test_id("va-account")).to_have_text(va["accountNumber"])

        page.get_by_role("link", name="주문내역 보기").click()
        order = page.get_by_test_id("order-row").filter(has_text=order_id)
        expect(order).to_contain_text("입금 대기")
        r = httpx.post(f"{sandbox}/_sandbox/payments/{row['payment_key']}/deposit", json={}, timeout=10)
        assert r.status_code == 200, r.text
        expect(order).to_contain_text("결제 완료", timeout=20_000)  # the page re-reads itself: no reload
        assert live.rows("SELECT status FROM payment WHERE order_id = :o", o=order_id) == [{"status": "DONE"}]
    finally:
        httpx.delete(sandbox + "/_sandbox/webhooks", timeout=10)
