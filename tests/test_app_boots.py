"""The real Reflex app boots (prod build, one port) and serves pages, Reflex, the API and the sandbox."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from payapp import routes
from payapp.api.app import SANDBOX_PREFIX
from payapp.pages.index import TITLE


def test_index_is_served_as_html(shop_url: str) -> None:
    response = httpx.get(shop_url + routes.INDEX)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


def test_reflex_backend_answers_ping_on_the_same_port(shop_url: str) -> None:
    response = httpx.get(shop_url + "/ping")
    assert response.status_code == 200
    assert response.json() == "pong"


def test_rest_api_is_mounted_on_the_same_port(shop_url: str) -> None:
    response = httpx.get(shop_url + "/v1/health")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_toss_sandbox_is_mounted_when_no_toss_keys_are_set(shop_url: str) -> None:
    response = httpx.get(shop_url + SANDBOX_PREFIX + "/_sandbox/health")
    assert response.status_code == 200
    assert response.json()["ok"] is True


@pytest.mark.browser
def test_browser_sees_the_shop_heading(shop_url: str, page: Page, console_errors: list[str]) -> None:
    # The heading is prerendered; the event websocket answering shows the page is live too.
    with page.expect_websocket(lambda ws: "/_event" in ws.url) as event_socket:
        page.goto(shop_url + routes.INDEX)
    event_socket.value.wait_for_event("framereceived")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page).to_have_title(TITLE)
    assert console_errors == []
