"""Pages that follow reconciliation, in a real browser, on an app of its own whose reconciler is
quick (every second, from 1 s of age) and whose alert threshold is short: /orders turns 결제 완료
by itself; the admin list shows the stuck payments' banner (its link filters the list), 거래 대사
drift and each payment's last Toss check, and follows a settle without a reload."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from payapp.sandbox.config import SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from payapp.settings import SANDBOX_PREFIX
from tests.conftest import basic
from tests.shop.conftest import LiveShop, authorized_order, paid_order, sign_in
from tests.shop.test_admin_page import admin_password, admin_sign_in, listed, order_cells
from tests.support.app import run_shop

pytestmark = pytest.mark.browser

ALERT_AFTER = 4
APP_ENV = {
    "TOSS_TIMEOUT_SECONDS": "2",
    "TOSS_CONFIRM_RETRIES": "1",
    "RECONCILE_MIN_AGE_SECONDS": "1",
    "RECONCILE_INTERVAL_SECONDS": "1",
    "RECONCILE_MAX_BACKOFF_SECONDS": "2",
    "RECONCILE_ALERT_AFTER_SECONDS": str(ALERT_AFTER),
    "TRANSACTIONS_PERIOD_SECONDS": "2",
}
KST_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
CONFIRM = {"path": "/v1/payments/confirm", "method": "POST", "forever": True}
LOOKUP = {"path": "/v1/payments/*", "method": "GET", "forever": True}


@pytest.fixture(scope="module")
def quick() -> Iterator[LiveShop]:
    with run_shop(APP_ENV) as url:
        yield LiveShop(url)


@contextlib.contextmanager
def faults(live: LiveShop, *rules: dict) -> Iterator[None]:
    """Sandbox faults for the block; every fault is cleared after it."""
    url = live.url + SANDBOX_PREFIX + "/_sandbox/faults"
    try:
        for rule in rules:
            httpx.post(url, json=rule, timeout=10).raise_for_status()
        yield
    finally:
        httpx.delete(url, timeout=10).raise_for_status()


def pending_order(live: LiveShop) -> str:
    """The demo buyer's order whose confirm answered "pending" (under a fault); its orderId."""
    order, authorized = authorized_order(live)
    r = httpx.post(
        live.url + "/v1/payments/confirm",
        headers=live.token(),
        timeout=30,
        json={"paymentKey": authorized["paymentKey"], "orderId": order["orderId"], "amount": order["amount"]},
    )
    assert r.status_code == 202, r.text
    return order["orderId"]


def sandbox_only_payment(live: LiveShop) -> str:
    """A payment approved at Toss that this shop never made (거래 대사 must flag it); its orderId."""
    order_id, base = f"ord_stranger_{uuid.uuid4().hex[:10]}", live.url + SANDBOX_PREFIX
    authorized = httpx.post(
        base + "/_sandbox/authorize",
        timeout=10,
        json={
            "clientKey": SANDBOX_CLIENT_KEY,
            "amount": 1000,
            "orderId": order_id,
            "orderName": "모르는 결제",
            "method": "카드",
        },
    ).json()
    r = httpx.post(
        base + "/v1/payments/confirm",
        headers=basic(SANDBOX_SECRET_KEY),
        timeout=10,
        json={"paymentKey": authorized["paymentKey"], "orderId": order_id, "amount": 1000},
    )
    assert r.status_code == 200, r.text
    return order_id


def status_of(live: LiveShop, order_id: str) -> list[dict]:
    return live.rows("SELECT status FROM payment WHERE order_id = :o", o=order_id)


def test_orders_turn_paid_by_themselves_once_reconciliation_settles(page: Page, quick: LiveShop):
    sign_in(page, quick.url)
    with faults(quick, {**CONFIRM, "lostResponse": True}, {**LOOKUP, "errorCode": "FAILED_INTERNAL_SYSTEM_PROCESSING"}):
        order_id = pending_order(quick)  # confirmed at Toss, but neither the answer nor a lookup got back
        page.goto(quick.url + "/orders")
        row = page.get_by_test_id("order-row").filter(has_text=order_id)
        expect(row).to_contain_text("승인 확인 중")
        page.evaluate("window.__notReloaded = true")
        page.wait_for_timeout(2_500)  # a reconciler round or two: Toss can't be read, so nothing moves
        assert status_of(quick, order_id) == [{"status": "IN_PROGRESS"}]
        expect(row).to_contain_text("승인 확인 중")
    # Toss answers again: the reconciler reads DONE, and the open page shows it with no click.
    expect(row).to_contain_text("결제 완료", timeout=30_000)
    assert page.evaluate("window.__notReloaded") is True
    assert status_of(quick, order_id) == [{"status": "DONE"}]
    expect(row.get_by_role("cell").last).to_have_text(KST_TIME)  # 마지막 확인
    assert len(quick.toss_confirms(order_id)) == 1


def test_admin_sees_stuck_payments_and_drift_and_the_list_follows_the_settle(
    page: Page, quick: LiveShop, console_errors: list[str]
):
    paid = paid_order(quick, quantity=1)
    stranger = sandbox_only_payment(quick)
    admin = quick.token("admin@payapp.local", admin_password(quick))
    # Toss can't be reached for the confirm, and then refuses our keys for every lookup: stuck.
    with faults(
        quick,
        {**CONFIRM, "errorCode": "FAILED_INTERNAL_SYSTEM_PROCESSING"},
        {**LOOKUP, "errorCode": "UNAUTHORIZED_KEY"},
    ):
        stuck = pending_order(quick)
        deadline = time.monotonic() + 30
        while True:
            seen = httpx.get(quick.url + "/v1/admin/attention", headers=admin, timeout=10).json()
            if seen["stuckCount"] >= 1 and stranger in {d["orderId"] for d in seen["drift"]}:
                break
            assert time.monotonic() < deadline, seen
            time.sleep(0.5)
        unsettled = listed(quick, "IN_PROGRESS", "WAITING_FOR_DEPOSIT")
        assert stuck in unsettled and seen["stuckCount"] == len(unsettled)

        admin_sign_in(page, quick)
        expect(page.get_by_test_id("stuck-banner")).to_contain_text(f"확인이 필요한 결제 {len(unsettled)}건")
        drift = page.get_by_test_id("drift-banner")
        expect(drift).to_contain_text("거래 대사 불일치")
        drift_row = page.get_by_test_id("drift-row").filter(has_text=stranger)
        expect(drift_row).to_contain_text("UNKNOWN_PAYMENT")
        expect(drift_row.get_by_role("cell").last).to_have_text(KST_TIME)

        page.get_by_test_id("stuck-link").click()
        expect(page).to_have_url(re.compile(r".*/admin/payments/?\?attention=1$"))
        expect(page.get_by_test_id("attention-filter")).to_be_visible()
        expect(order_cells(page)).to_have_text(unsettled)
        expect(page.get_by_test_id("admin-row").filter(has_text=stuck)).to_contain_text("승인 확인 중")

        page.get_by_role("button", name="전체 보기").click()
        expect(page).to_have_url(re.compile(r".*/admin/payments/?$"))
        row = page.get_by_test_id("admin-row").filter(has_text=stuck)
        expect(row).to_contain_text("승인 확인 중")
        expect(row.get_by_test_id("admin-row-checked-at")).to_have_text("")  # Toss never answered about it
        paid_row = page.get_by_test_id("admin-row").filter(has_text=paid["orderId"])
        expect(paid_row.get_by_test_id("admin-row-checked-at")).to_have_text(KST_TIME)
        page.evaluate("window.__notReloaded = true")
    # Toss answers again: the reconciler confirms the stuck payment; the open list follows.
    expect(row).to_contain_text("결제 완료", timeout=30_000)
    expect(row.get_by_test_id("admin-row-checked-at")).to_have_text(KST_TIME)
    expect(page.get_by_test_id("stuck-banner")).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True
    assert status_of(quick, stuck) == [{"status": "DONE"}]

    page.get_by_role("link", name=paid["orderId"]).click()
    expect(page.get_by_test_id("detail-status")).to_have_text("결제 완료")
    expect(page.get_by_text("마지막 Toss 확인")).to_be_visible()
    expect(page.get_by_test_id("detail-checked-at")).to_have_text(KST_TIME)
    assert console_errors == []
