"""Screenshots of the shop, desktop and 390 px phone, with Hangul rendered by a real CJK font.

`make screenshots` writes them into docs/screenshots/ (PAYAPP_SCREENSHOTS_DIR); in `make test`
they go to a temporary folder and the test checks they were taken and the text is Korean.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.shop.conftest import FAIL_RE, SUCCESS_RE, buy_first_product, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("PAYAPP_SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def test_a_korean_font_is_installed_for_hangul():
    fonts = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK" in fonts, "fonts-noto-cjk is missing: `make chromium` installs it"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_products_window_receipt_and_fail(device, page: Page, phone_page: Page, live, out_dir):
    p = page if device == "desktop" else phone_page
    sign_in(p, live.url)
    p.goto(live.url + "/")
    expect(p.get_by_role("button", name="결제하기").first).to_be_visible()
    assert p.evaluate("document.fonts.check('16px \"Noto Sans CJK KR\"', '결제하기')")
    shots = {"products": None, "window": None, "receipt": None, "fail": None}
    p.screenshot(path=out_dir / f"products-{device}.png", full_page=device == "desktop")
    shots["products"] = out_dir / f"products-{device}.png"

    frame = buy_first_product(p, live.url)
    expect(frame.get_by_role("button", name="승인")).to_be_visible()
    p.screenshot(path=out_dir / f"window-{device}.png")
    shots["window"] = out_dir / f"window-{device}.png"
    frame.get_by_role("button", name="승인").click()
    p.wait_for_url(SUCCESS_RE)
    expect(p.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=20_000)
    p.screenshot(path=out_dir / f"receipt-{device}.png")
    shots["receipt"] = out_dir / f"receipt-{device}.png"

    buy_first_product(p, live.url).get_by_role("button", name="카드 거절").click()
    p.wait_for_url(FAIL_RE)
    expect(p.get_by_test_id("fail-code")).to_have_text("REJECT_CARD_COMPANY")
    p.screenshot(path=out_dir / f"fail-{device}.png")
    shots["fail"] = out_dir / f"fail-{device}.png"

    for path in shots.values():
        assert path.stat().st_size > 10_000
    if device == "phone":  # nothing wider than the phone: no sideways scrolling
        assert p.evaluate("document.documentElement.scrollWidth") <= 390


def test_screenshots_of_the_admin(page: Page, live, out_dir):
    from tests.shop.test_admin_page import admin_sign_in, paid_order

    paid = paid_order(live)
    admin_sign_in(page, live)
    expect(page.get_by_test_id("admin-row").first).to_be_visible()
    page.mouse.move(0, 0)  # no chart tooltip under a leftover pointer
    page.screenshot(path=out_dir / "admin-list-desktop.png", full_page=True)
    page.goto(f"{live.url}/admin/payment?orderId={paid['orderId']}")
    expect(page.get_by_test_id("event-row").first).to_be_visible()
    page.screenshot(path=out_dir / "admin-payment-desktop.png", full_page=True)
    for name in ("admin-list-desktop.png", "admin-payment-desktop.png"):
        assert (out_dir / name).stat().st_size > 10_000


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_method_picker_and_a_virtual_account_receipt(
    device, page: Page, phone_page: Page, live, out_dir
):
    from tests.shop.test_methods import pay_with

    p = page if device == "desktop" else phone_page
    sign_in(p, live.url)
    p.goto(live.url + "/")
    picker = p.get_by_test_id("method-picker")
    picker.get_by_role("radio", name="가상계좌", exact=True).click()
    expect(picker.get_by_role("radio", name="가상계좌", exact=True)).to_be_checked()
    p.screenshot(path=out_dir / f"method-picker-{device}.png")

    pay_with(p, live.url, "가상계좌")
    expect(p.get_by_role("heading", name="가상계좌가 발급되었습니다")).to_be_visible(timeout=20_000)
    expect(p.get_by_test_id("va-account")).to_be_visible()
    p.screenshot(path=out_dir / f"va-receipt-{device}.png", full_page=True)
    for name in (f"method-picker-{device}.png", f"va-receipt-{device}.png"):
        assert (out_dir / name).stat().st_size > 10_000
    if device == "phone":
        assert p.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture(scope="module")
def widget_live():
    from tests.shop.conftest import LiveShop
    from tests.support.app import run_shop

    with run_shop({"TOSS_INTEGRATION": "widget"}) as url:
        yield LiveShop(url)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_widget_pay_page(device, page: Page, phone_page: Page, widget_live, out_dir):
    p = page if device == "desktop" else phone_page
    sign_in(p, widget_live.url)
    p.goto(widget_live.url + "/")
    p.get_by_role("button", name="결제하기", exact=True).first.click()
    checkout = p.get_by_test_id("widget-checkout")
    expect(checkout.get_by_role("radiogroup", name="결제 방법")).to_be_visible()
    expect(checkout.get_by_test_id("toss-widget-pay")).to_be_enabled()
    p.wait_for_timeout(300)  # the scroll to the widget has settled
    p.mouse.move(0, 0)
    p.screenshot(path=out_dir / f"widget-{device}.png")
    assert (out_dir / f"widget-{device}.png").stat().st_size > 10_000
    if device == "phone":
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
