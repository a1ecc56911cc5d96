"""Production knobs of the sandbox: the control API closed (``SandboxConfig(control=False)``,
``--no-control``), only the buyer's part mounted (``buyer_app``), and webhook targets limited to
loopback plus an allow-list (``webhook_hosts``, ``--webhook-hosts``)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from payapp.sandbox import SandboxConfig, buyer_app, create_app, parse_webhook_hosts
from tests.conftest import DOCS_CLIENT_KEY, DOCS_SECRET_KEY, basic
from tests.sandbox.flow import run_async
from tests.support.sandbox_control import APPROVE, CONTROL_CALLS, control_body, window_action
from tests.support.servers import ROOT, server_process

AUTH = basic(DOCS_SECRET_KEY)
PREFIX = "/toss-sandbox"
WINDOW_PARAMS = {"clientKey": DOCS_CLIENT_KEY, "method": "카드", "amount": 1000, "orderName": "x"}


def client(app, base_url: str = "http://sandbox.test") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def assert_buyers_part_works(c: httpx.AsyncClient, order_id: str) -> dict:
    """SDK script, window (open and choose 승인), landing page and the headless authorize."""
    for path in ("/_sandbox/sdk.js", "/js/v1", "/js/v2/standard"):
        r = await c.get(path)
        assert r.status_code == 200 and "TossPayments" in r.text, path
    page = await c.get("/_sandbox/window", params={**WINDOW_PARAMS, "orderId": order_id + "w"})
    assert page.status_code == 200, page.text
    chosen = await c.post(window_action(page.text), data=APPROVE)
    assert chosen.status_code == 303
    assert (await c.get(chosen.headers["location"])).status_code == 200  # the landing page
    auth = await c.post("/_sandbox/authorize", json={**WINDOW_PARAMS, "orderId": order_id})
    assert auth.status_code == 200 and auth.json()["status"] == "IN_PROGRESS", auth.text
    assert (await c.get("/_sandbox/health")).json()["ok"] is True
    return auth.json()


async def assert_control_closed(c: httpx.AsyncClient) -> None:
    for method, path in CONTROL_CALLS:
        r = await c.request(method, path, json=control_body(method))
        assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND"), (method, path, r.text)


def test_control_false_closes_the_control_api_and_keeps_the_buyers_part_and_the_rest_api():
    async def scenario() -> None:
        app = create_app(SandboxConfig(control=False))
        async with client(app) as c:
            await assert_control_closed(c)
            auth = await assert_buyers_part_works(c, "order-closed-1")
            done = await c.post(
                "/v1/payments/confirm",
                headers=AUTH,
                json={"paymentKey": auth["paymentKey"], "orderId": auth["orderId"], "amount": 1000},
            )
            assert done.json()["status"] == "DONE", done.text

    run_async(scenario())


def test_the_control_api_is_open_by_default():
    async def scenario() -> None:
        async with client(create_app()) as c:
            assert (await c.get("/_sandbox/faults")).status_code == 200
            assert (await c.post("/_sandbox/clock", json={"advanceSeconds": 1})).status_code == 200

    run_async(scenario())


def test_buyer_app_mounted_serves_only_the_buyers_part_and_shares_the_state():
    async def scenario() -> None:
        sandbox = create_app(SandboxConfig(control=False))
        outer = Starlette(routes=[Mount(PREFIX, app=buyer_app(sandbox))])
        async with client(outer, f"http://shop.test{PREFIX}") as public, client(sandbox) as inside:
            await assert_control_closed(public)
            auth = await assert_buyers_part_works(public, "order-buyer-1")
            assert auth["redirectUrl"].startswith(f"http://shop.test{PREFIX}/_sandbox/landing/success?")
            body = {"paymentKey": auth["paymentKey"], "orderId": auth["orderId"], "amount": 1000}
            # The REST API is not public: anyone knows the sandbox keys.
            for method, path in (
                ("POST", "/v1/payments/confirm"),
                ("GET", f"/v1/payments/{auth['paymentKey']}"),
                ("GET", "/v1/transactions"),
            ):
                r = await public.request(method, path, headers=AUTH, json=body if method == "POST" else None)
                assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND"), (path, r.text)
            # The shop reaches it in-process, on the same state the public window wrote.
            done = await inside.post("/v1/payments/confirm", headers=AUTH, json=body)
            assert done.json()["status"] == "DONE", done.text

    run_async(scenario())


def test_buyer_app_of_an_open_sandbox_still_hides_its_control_api():
    async def scenario() -> None:
        sandbox = create_app()
        async with client(buyer_app(sandbox)) as public, client(sandbox) as inside:
            await assert_control_closed(public)
            assert (await inside.get("/_sandbox/faults")).status_code == 200

    run_async(scenario())


LOOPBACK = [
    "http://127.0.0.1:8000/v1/webhooks/toss",
    "http://127.8.9.10/h",
    "http://localhost:3000/h",
    "https://LOCALHOST/h",
    "http://[::1]:8000/h",
    "http://[::ffff:127.0.0.1]/h",
]
NOT_LOOPBACK = [
    "http://example.com/h",
    "https://10.0.0.5/h",
    "http://169.254.169.254/latest/meta-data",
    "http://127.0.0.1@example.com/h",
    "http://localhost.example.com/h",
    "http://2130706433/h",
    "http://[::ffff:10.0.0.1]/h",
    "http://0.0.0.0:8000/h",
]


async def register(c: httpx.AsyncClient, url: str, english: bool = False) -> httpx.Response:
    headers = {"Accept-Language": "en-US"} if english else {}
    return await c.post("/_sandbox/webhooks", json={"url": url}, headers=headers)


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_only_accepts_loopback_targets(url):
    async def scenario() -> None:
        async with client(create_app(SandboxConfig(webhook_hosts=()))) as c:
            r = await register(c, url)
            assert r.status_code == 201, r.text

    run_async(scenario())


@pytest.mark.parametrize("url", NOT_LOOPBACK)
def test_loopback_only_refuses_every_other_target_with_a_clear_error(url):
    async def scenario() -> None:
        async with client(create_app(SandboxConfig(webhook_hosts=()))) as c:
            r = await register(c, url, english=True)
            assert (r.status_code, r.json()["code"]) == (400, "WEBHOOK_HOST_NOT_ALLOWED"), r.text
            assert "loopback (127.0.0.0/8, ::1, localhost)" in r.json()["message"]
            assert (await c.get("/_sandbox/webhooks")).json()["count"] == 0

    run_async(scenario())


def test_allow_listed_names_and_networks_join_loopback():
    async def scenario() -> None:
        config = SandboxConfig(webhook_hosts=parse_webhook_hosts("Hooks.Example.com, 10.0.0.0/8, 192.0.2.7"))
        async with client(create_app(config)) as c:
            for url in (
                "https://hooks.example.com/t",
                "http://HOOKS.EXAMPLE.COM./t",
                "http://10.20.30.40:8080/t",
                "http://192.0.2.7/t",
                "http://127.0.0.1/t",
            ):
                assert (await register(c, url)).status_code == 201, url
            for url in (
                "https://sub.hooks.example.com/t",
                "https://example.com/t",
                "http://11.0.0.1/t",
                "http://192.0.2.8/t",
            ):
                r = await register(c, url)
                assert r.json()["code"] == "WEBHOOK_HOST_NOT_ALLOWED", url
                assert "hooks.example.com, 10.0.0.0/8, 192.0.2.7" in r.json()["message"]

    run_async(scenario())


def test_the_default_config_sends_webhooks_anywhere():
    async def scenario() -> None:
        async with client(create_app()) as c:
            assert (await register(c, "https://example.com/hook")).status_code == 201

    run_async(scenario())


def test_a_stored_target_that_is_no_longer_allowed_is_not_sent():
    """A target kept in Redis from a run with another configuration is skipped when sending."""

    async def scenario() -> None:
        app = create_app(SandboxConfig(webhook_hosts=()))
        await app.state.store.add_webhook_target({"url": "http://example.com/h", "events": ["PAYMENT_STATUS_CHANGED"]})
        async with client(app) as c:
            auth = (await c.post("/_sandbox/authorize", json={**WINDOW_PARAMS, "orderId": "order-stale-1"})).json()
            await c.post("/_sandbox/clock", json={"advanceSeconds": 601})  # EXPIRED: a change that is notified
            assert (await c.get("/_sandbox/payments")).json()["data"][0]["status"] == "EXPIRED", auth
            await c.post("/_sandbox/webhooks/flush")
            assert (await c.get("/_sandbox/webhooks/deliveries")).json()["count"] == 0

    run_async(scenario())


def test_parse_webhook_hosts():
    assert parse_webhook_hosts("") == () and parse_webhook_hosts(" , ") == ()
    assert parse_webhook_hosts("*") is None and parse_webhook_hosts("a.example, *") is None
    assert parse_webhook_hosts("A.Example., 10.1.2.3/8, ::1, fd00::/8") == (
        "a.example",
        "10.0.0.0/8",
        "::1",
        "fd00::/8",
    )
    for bad in ("http://x.example", "a b", "x.example:8080", "10.0.0.0/33", "*.example.com", "a..b"):
        with pytest.raises(ValueError, match="webhook hosts"):
            parse_webhook_hosts(bad)


def test_cli_no_control_closes_the_control_api_of_a_sandbox_process():
    with server_process(["payapp.sandbox", "--no-control"], "/_sandbox/health") as url:
        with httpx.Client(base_url=url, timeout=10) as c:
            assert (c.get("/_sandbox/faults").status_code, c.post("/_sandbox/reset").status_code) == (404, 404)
            r = c.post("/_sandbox/authorize", json={**WINDOW_PARAMS, "orderId": "order-cli-1"})
            assert r.status_code == 200, r.text
            assert c.get(f"/v1/payments/{r.json()['paymentKey']}", headers=AUTH).json()["status"] == "IN_PROGRESS"


def test_cli_webhook_hosts_limits_targets_of_a_sandbox_process():
    with server_process(["payapp.sandbox", "--webhook-hosts", "hooks.example.com"], "/_sandbox/health") as url:
        with httpx.Client(base_url=url, timeout=10) as c:
            assert c.post("/_sandbox/webhooks", json={"url": "http://example.com/h"}).status_code == 400
            assert c.post("/_sandbox/webhooks", json={"url": "http://hooks.example.com/h"}).status_code == 201
            assert c.post("/_sandbox/webhooks", json={"url": "http://127.0.0.1:9/h"}).status_code == 201
    bad = subprocess.run(
        [sys.executable, "-m", "payapp.sandbox", "--port", "0", "--webhook-hosts", "a b"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2 and "not a host name" in bad.stderr
