"""The secret key never reaches the browser; an unknown Toss answer reads "승인 확인 중" until settled."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from payapp.sandbox.config import SANDBOX_SECRET_KEY
from payapp.settings import SANDBOX_PREFIX
from tests.shop.conftest import SUCCESS_RE, buy_first_product, sign_in
from tests.support.app import DATA_DIRS

pytestmark = pytest.mark.browser


def test_secret_key_is_in_no_build_file_and_no_websocket_frame(page: Page, live):
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: (
            ws.on("framereceived", lambda f: frames.append(str(f))),
            ws.on("framesent", lambda f: frames.append(str(f))),
        ),
    )
    sign_in(page, live.url)
    buy_first_product(page, live.url).get_by_role("button", name="승인").click()
    page.wait_for_url(SUCCESS_RE)
    expect(page.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=20_000)
    page.goto(live.url + "/orders")
    expect(page.get_by_test_id("order-row").first).to_be_visible()

    prepared = live.rows("SELECT order_id FROM payment ORDER BY id DESC LIMIT 1")[0]["order_id"]
    assert any(prepared in f for f in frames), "frames were not captured (the payment request travels)"
    assert not any(SANDBOX_SECRET_KEY in f for f in frames)
    build = DATA_DIRS[live.url].parent / "web"
    files = [p for p in build.rglob("*") if p.is_file() and "node_modules" not in p.parts]
    assert len(files) > 20
    leaked = [p for p in files if SANDBOX_SECRET_KEY.encode() in p.read_bytes()]
    assert leaked == []
    html = httpx.get(live.url + "/").text
    assert SANDBOX_SECRET_KEY not in html


def test_lost_toss_answer_shows_pending_then_the_receipt(page: Page, live):
    faults = live.url + SANDBOX_PREFIX + "/_sandbox/faults"
    sign_in(page, live.url)
    httpx.post(faults, json={"path": "/v1/payments/confirm", "lostResponse": True, "forever": True}).raise_for_status()
    try:
        buy_first_product(page, live.url).get_by_role("button", name="승인").click()
        page.wait_for_url(SUCCESS_RE)
        expect(page.get_by_role("heading", name="승인 확인 중")).to_be_visible(timeout=30_000)
        order_id = parse_qs(urlsplit(page.url).query)["orderId"][0]
        assert live.rows("SELECT status FROM payment WHERE order_id = :o", o=order_id) == [{"status": "IN_PROGRESS"}]
    finally:
        httpx.delete(faults).raise_for_status()
    expect(page.get_by_role("heading", name="결제가 완료되었습니다")).to_be_visible(timeout=30_000)
    assert live.rows("SELECT status FROM payment WHERE order_id = :o", o=order_id) == [{"status": "DONE"}]


def test_client_key_is_the_only_toss_key_in_page_state(live):
    assert Path(DATA_DIRS[live.url]).is_dir()
    assert SANDBOX_SECRET_KEY not in httpx.get(live.url + "/login").text
