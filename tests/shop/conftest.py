"""The shop in a real browser: the real app (prod build), its mounted sandbox, its SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from payapp.settings import SANDBOX_PREFIX
from tests.support.app import DATA_DIRS
from tests.support.client import ShopClient, sqlite_url

DEMO = ("demo@payapp.local", "demo1234!")


class LiveShop(ShopClient):
    """The running Reflex app (its API, its mounted sandbox, its SQLite), seen as a client would."""

    def __init__(self, url: str) -> None:
        super().__init__("live", url, url + SANDBOX_PREFIX, sqlite_url(DATA_DIRS[url]))

    def token(self, email: str = DEMO[0], password: str = DEMO[1]) -> dict[str, str]:
        """The demo buyer's (or another's) Authorization header."""
        return self.login(email, password)


@pytest.fixture
def live(shop_url: str) -> Iterator[LiveShop]:
    client = LiveShop(shop_url)
    yield client
    client.close()


def authorized_order(live: LiveShop, quantity: int = 1) -> tuple[dict, dict]:
    """The demo buyer's order of the first product, prepared over REST and authorized at the
    sandbox (the headless buyer pressed 승인): (order, authorization), not yet confirmed."""
    order = live.prepare(live.token(), quantity=quantity)
    return order, live.authorize(order)


def paid_order(live: LiveShop, quantity: int = 2) -> dict:
    """A DONE payment of the demo buyer, confirmed over REST; the API's Payment view."""
    return live.paid_order(live.token(), quantity)


def sign_in(page: Page, base: str, email: str = DEMO[0], password: str = DEMO[1], next_path: str = "/") -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()


def window_frame(page: Page):
    """The sandbox payment window, open in its overlay iframe."""
    expect(page.locator("iframe[data-toss-sandbox=window]")).to_be_visible()
    return page.frame_locator("iframe[data-toss-sandbox=window]")


def buy_first_product(page: Page, base: str):
    """From a signed-in product page: 결제하기 on the first product; returns the window frame."""
    page.goto(base + "/")
    page.get_by_role("button", name="결제하기").first.click()
    return window_frame(page)


SUCCESS_RE = re.compile(r".*/success/?\?.*paymentKey=.*")
FAIL_RE = re.compile(r".*/fail/?\?.*code=.*")
