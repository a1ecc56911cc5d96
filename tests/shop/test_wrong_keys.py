"""Wrong Toss secret keys in a real browser: Toss refuses the confirm as *our* configuration, so
/success says 결제 확인 중 (never 실패) and the payment stays IN_PROGRESS. Started again with the
right keys, the shop's reconciler confirms it, once, and the buyer's order list turns 결제 완료 by
itself. PostgreSQL, the machine's Redis and the sandbox as its own process, like production."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from payapp.db import normalize_url
from payapp.sandbox.config import SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from tests.core.conftest import fresh_pg_database
from tests.shop.conftest import SUCCESS_RE, buy_first_product, sign_in
from tests.support.app import run_shop

pytestmark = pytest.mark.browser

WRONG_SECRET_KEY = "test_sk_payappWrongKey000000000000"
REDIS_URL = "redis://127.0.0.1:6379/5"
KST_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with fresh_pg_database("payapp_wrong_keys") as url:
        yield url


def shop_env(sandbox_url: str, database: str, secret_key: str, **extra: str) -> dict[str, str]:
    return {
        "TOSS_API_BASE": sandbox_url,
        "TOSS_CLIENT_KEY": SANDBOX_CLIENT_KEY,
        "TOSS_SECRET_KEY": secret_key,
        "TOSS_SDK_SRC": sandbox_url + "/_sandbox/sdk.js",
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        **extra,
    }


def payment_status(database: str, order_id: str) -> list[str]:
    engine = sa.create_engine(normalize_url(database))
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(sa.text("SELECT status FROM payment WHERE order_id = :o"), {"o": order_id}).scalars()
            )
    finally:
        engine.dispose()


def confirms(sandbox_url: str, order_id: str) -> list[dict]:
    """The confirm calls that reached the sandbox for this order (replays excluded)."""
    log = httpx.get(sandbox_url + "/_sandbox/requests", params={"path": "/v1/payments/confirm"}, timeout=10)
    return [e for e in log.json()["data"] if (e.get("body") or {}).get("orderId") == order_id and not e["replayed"]]


def test_wrong_keys_say_checking_then_reconciliation_confirms_once_the_keys_work(
    page: Page, sandbox_url: str, database: str
):
    with run_shop(shop_env(sandbox_url, database, WRONG_SECRET_KEY)) as url:
        sign_in(page, url)
        buy_first_product(page, url).get_by_role("button", name="승인").click()
        page.wait_for_url(SUCCESS_RE)
        expect(page.get_by_role("heading", name="결제 확인 중")).to_be_visible(timeout=20_000)
        card = page.get_by_test_id("checking-card")
        expect(card).to_contain_text("다시 결제하지 마세요")
        expect(card.get_by_role("link", name="주문내역 보기")).to_have_attribute("href", "/orders")
        order_id = parse_qs(urlsplit(page.url).query)["orderId"][0]
        expect(card).to_contain_text(order_id)
        assert "실패" not in page.locator("body").inner_text()
        assert payment_status(database, order_id) == ["IN_PROGRESS"]
        refused = confirms(sandbox_url, order_id)
        assert refused and {(e["status"], e["code"]) for e in refused} == {(401, "UNAUTHORIZED_KEY")}

        page.wait_for_timeout(4_000)  # a few polling rounds: still checking, never /fail
        assert urlsplit(page.url).path.rstrip("/") == "/success"
        expect(page.get_by_role("heading", name="결제 확인 중")).to_be_visible()
        assert "실패" not in page.locator("body").inner_text()
        assert payment_status(database, order_id) == ["IN_PROGRESS"]

    fixed = shop_env(
        sandbox_url, database, SANDBOX_SECRET_KEY, RECONCILE_MIN_AGE_SECONDS="0", RECONCILE_INTERVAL_SECONDS="2"
    )
    with run_shop(fixed) as url:
        sign_in(page, url, next_path="/orders")  # a new origin: its own sign-in
        row = page.get_by_test_id("order-row").filter(has_text=order_id)
        expect(row).to_be_visible()
        page.evaluate("window.__notReloaded = true")
        deadline = time.monotonic() + 60
        while payment_status(database, order_id) != ["DONE"] and time.monotonic() < deadline:
            time.sleep(0.5)
        assert payment_status(database, order_id) == ["DONE"]
        done = [e for e in confirms(sandbox_url, order_id) if e["status"] == 200]
        assert len(done) == 1, done
        at_toss = httpx.get(sandbox_url + "/_sandbox/payments", params={"orderId": order_id}, timeout=10).json()
        assert [p["status"] for p in at_toss["data"]] == ["DONE"]
        expect(row).to_contain_text("결제 완료", timeout=15_000)  # nothing pressed, nothing reloaded
        assert page.evaluate("window.__notReloaded") is True
        expect(row.get_by_role("cell").last).to_have_text(KST_TIME)  # 마지막 확인: when Toss answered
