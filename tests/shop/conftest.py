"""The shop in a real browser: the real app (prod build), its mounted sandbox, its SQLite."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from payapp.sandbox.config import SANDBOX_CLIENT_KEY
from payapp.settings import SANDBOX_PREFIX
from tests.support.app import DATA_DIRS

DEMO = ("demo@payapp.local", "demo1234!")


@dataclass
class LiveShop:
    url: str

    @property
    def engine(self) -> sa.Engine:
        return sa.create_engine(f"sqlite:///{DATA_DIRS[self.url] / 'payapp.db'}")

    def rows(self, sql: str, **params) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]

    def sandbox(self, endpoint: str, **params) -> dict:
        return httpx.get(self.url + SANDBOX_PREFIX + endpoint, params=params, timeout=10).json()

    def toss_confirms(self, order_id: str) -> list[dict]:
        log = self.sandbox("/_sandbox/requests", path="/v1/payments/confirm")["data"]
        return [e for e in log if (e.get("body") or {}).get("orderId") == order_id and not e["replayed"]]

    def token(self, email: str = DEMO[0], password: str = DEMO[1]) -> dict[str, str]:
        r = httpx.post(self.url + "/v1/auth/token", json={"email": email, "password": password}, timeout=10)
        return {"Authorization": f"Bearer {r.json()['accessToken']}"}

    def products(self) -> list[dict]:
        return httpx.get(self.url + "/v1/products", timeout=10).json()["data"]


@pytest.fixture
def live(shop_url: str) -> LiveShop:
    return LiveShop(shop_url)


def authorized_order(live: LiveShop, quantity: int = 1) -> tuple[dict, dict]:
    """The demo buyer's order of the first product, prepared over REST and authorized at the
    sandbox (the headless buyer pressed 승인): (order, authorization), not yet confirmed."""
    product = live.products()[0]
    order = httpx.post(
        live.url + "/v1/payments/prepare",
        headers=live.token(),
        timeout=10,
        json={"items": [{"productId": product["id"], "quantity": quantity}]},
    ).json()
    authorized = httpx.post(
        live.url + SANDBOX_PREFIX + "/_sandbox/authorize",
        timeout=10,
        json={
            "clientKey": SANDBOX_CLIENT_KEY,
            "amount": order["amount"],
            "orderId": order["orderId"],
            "orderName": order["orderName"],
            "method": "카드",
        },
    ).json()
    return order, authorized


def paid_order(live: LiveShop, quantity: int = 2) -> dict:
    """A DONE payment of the demo buyer, confirmed over REST; the API's Payment view."""
    order, authorized = authorized_order(live, quantity)
    r = httpx.post(
        live.url + "/v1/payments/confirm",
        headers=live.token(),
        timeout=30,
        json={"paymentKey": authorized["paymentKey"], "orderId": order["orderId"], "amount": order["amount"]},
    )
    assert r.status_code == 200, r.text
    return r.json()


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
