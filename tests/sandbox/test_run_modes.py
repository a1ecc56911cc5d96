"""The sandbox in each way it runs: in-process (ASGITransport), mounted under a prefix,
backed by Redis, and as several worker processes sharing one Redis."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount

from payapp.sandbox import SandboxConfig, create_app
from tests.conftest import DOCS_CLIENT_KEY, DOCS_SECRET_KEY, basic
from tests.sandbox.conftest import SANDBOX_REDIS_URL
from tests.sandbox.flow import run_async
from tests.support.servers import ROOT, server_process

# A database of its own, and a prefix per test, so that nothing else's keys are touched.
AUTH = basic(DOCS_SECRET_KEY)
PREFIX = "/toss-sandbox"


async def walk_through(c: httpx.AsyncClient) -> dict:
    """authorize → confirm → get → partial cancel → cancel the rest; returns the final payment."""
    auth = (
        await c.post(
            "/_sandbox/authorize",
            json={
                "clientKey": DOCS_CLIENT_KEY,
                "amount": 15000,
                "orderId": f"order-{uuid.uuid4().hex[:12]}",
                "orderName": "텀블러",
            },
        )
    ).json()
    done = await c.post(
        "/v1/payments/confirm",
        headers=AUTH,
        json={"paymentKey": auth["paymentKey"], "orderId": auth["orderId"], "amount": 15000},
    )
    assert done.status_code == 200, done.text
    got = (await c.get(f"/v1/payments/orders/{auth['orderId']}", headers=AUTH)).json()
    assert got == done.json()
    part = await c.post(
        f"/v1/payments/{auth['paymentKey']}/cancel",
        headers=AUTH,
        json={"cancelReason": "일부 반품", "cancelAmount": 5000},
    )
    assert (part.json()["status"], part.json()["balanceAmount"]) == ("PARTIAL_CANCELED", 10000)
    rest = await c.post(f"/v1/payments/{auth['paymentKey']}/cancel", headers=AUTH, json={"cancelReason": "전체 반품"})
    assert (rest.json()["status"], rest.json()["balanceAmount"]) == ("CANCELED", 0)
    return rest.json()


def test_app_factory_serves_in_process_through_asgi_transport():
    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://sandbox") as c:
            final = await walk_through(c)
            assert len(final["cancels"]) == 2

    run_async(scenario())


def _starlette_mount(name: str | None) -> Callable[[], object]:
    return lambda: Starlette(routes=[Mount(PREFIX, app=create_app(), name=name)])


def _fastapi_mount() -> object:
    outer = FastAPI()
    outer.mount(PREFIX, create_app())  # as payapp's backend mounts it
    return outer


Scenario = Callable[[httpx.AsyncClient], Awaitable[None]]


@pytest.fixture(params=["starlette-mount", "named-mount", "fastapi-mount"])
def mounted(request) -> Callable[[Scenario], None]:
    """Runs a scenario against a sandbox mounted at /toss-sandbox inside another app."""
    factory = {
        "starlette-mount": _starlette_mount(None),
        "named-mount": _starlette_mount("toss_sandbox"),
        "fastapi-mount": _fastapi_mount,
    }[request.param]

    def run(scenario: Scenario) -> None:
        async def go() -> None:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=factory()), base_url=f"http://shop.test{PREFIX}"
            ) as c:
                await scenario(c)

        run_async(go())

    return run


def test_mounted_sandbox_serves_the_whole_flow_under_its_prefix(mounted):
    async def scenario(c: httpx.AsyncClient) -> None:
        await walk_through(c)

    mounted(scenario)


def test_mounted_sandbox_redirects_carry_the_prefix(mounted):
    mounted(_redirects_carry_the_prefix)


async def _redirects_carry_the_prefix(mounted: httpx.AsyncClient) -> None:
    auth = (
        await mounted.post(
            "/_sandbox/authorize",
            json={"clientKey": DOCS_CLIENT_KEY, "amount": 1000, "orderId": "order-mounted-1", "orderName": "x"},
        )
    ).json()
    url = urlsplit(auth["redirectUrl"])
    assert (url.netloc, url.path) == ("shop.test", f"{PREFIX}/_sandbox/landing/success")
    landing = await mounted.get(auth["redirectUrl"])
    assert landing.status_code == 200 and auth["paymentKey"] in landing.text


def test_mounted_sandbox_faults_and_log_use_paths_inside_the_sandbox(mounted):
    mounted(_faults_and_log_use_paths_inside_the_sandbox)


async def _faults_and_log_use_paths_inside_the_sandbox(mounted: httpx.AsyncClient) -> None:
    r = await mounted.post("/_sandbox/faults", json={"path": "/v1/payments/confirm", "errorCode": "PROVIDER_ERROR"})
    assert r.status_code == 201
    r = await mounted.post(
        "/v1/payments/confirm", headers=AUTH, json={"paymentKey": "k", "orderId": "order-123456", "amount": 1000}
    )
    assert r.json()["code"] == "PROVIDER_ERROR"
    [entry] = (await mounted.get("/_sandbox/requests")).json()["data"]
    assert entry["path"] == "/v1/payments/confirm"


def test_mounted_window_posts_back_under_the_prefix():
    run_async(_window_posts_back_under_the_prefix())


async def _window_posts_back_under_the_prefix() -> None:
    outer = Starlette(routes=[Mount(PREFIX, app=create_app())])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=outer), base_url=f"http://shop.test{PREFIX}") as c:
        page = await c.get(
            "/_sandbox/window",
            params={
                "clientKey": DOCS_CLIENT_KEY,
                "method": "카드",
                "amount": 1000,
                "orderId": "order-window-1",
                "orderName": "x",
                "successUrl": "https://shop.test/ok",
                "failUrl": "https://shop.test/fail",
            },
        )
        assert page.status_code == 200
        assert f'action="http://shop.test{PREFIX}/_sandbox/window/' in page.text


def test_mounted_window_opens_and_posts_back_under_every_kind_of_mount(mounted):
    mounted(_window_opens_and_posts_back)


async def _window_opens_and_posts_back(mounted: httpx.AsyncClient) -> None:
    # A named Mount once made the window 500: request.url_for looked in the outer router.
    page = await mounted.get(
        "/_sandbox/window",
        params={
            "clientKey": DOCS_CLIENT_KEY,
            "method": "카드",
            "amount": 1000,
            "orderId": "order-window-named",
            "orderName": "x",
        },
    )  # no URLs: the window writes its own landing URLs too
    assert page.status_code == 200, page.text
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    assert action.startswith(f"http://shop.test{PREFIX}/_sandbox/window/")
    chosen = await mounted.post(action, data={"outcome": "approve", "target": "self", "mode": "redirect"})
    assert chosen.status_code == 303
    assert chosen.headers["location"].startswith(f"http://shop.test{PREFIX}/_sandbox/landing/success?")


def test_redis_backed_sandbox_serves_the_whole_flow(redis_prefix):
    run_async(_redis_backed_sandbox_serves_the_whole_flow(redis_prefix))


async def _redis_backed_sandbox_serves_the_whole_flow(redis_prefix: str) -> None:
    app = create_app(SandboxConfig(redis_url=SANDBOX_REDIS_URL, redis_prefix=redis_prefix))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
        final = await walk_through(c)
        keys = redis.Redis.from_url(SANDBOX_REDIS_URL).keys(redis_prefix + "*")
        assert any(k.decode().endswith(final["paymentKey"]) for k in keys)
    await app.state.store.close()


def test_redis_backed_sandbox_replays_first_response_expires_and_chains(redis_prefix):
    run_async(_redis_backed_sandbox_replays_first_response_expires_and_chains(redis_prefix))


async def _redis_backed_sandbox_replays_first_response_expires_and_chains(redis_prefix: str) -> None:
    app = create_app(SandboxConfig(redis_url=SANDBOX_REDIS_URL, redis_prefix=redis_prefix))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:

        async def authorize(order: str) -> dict:
            return (
                await c.post(
                    "/_sandbox/authorize",
                    json={"clientKey": DOCS_CLIENT_KEY, "amount": 1000, "orderId": order, "orderName": "x"},
                )
            ).json()

        auth = await authorize("order-redis-1")
        body = {"paymentKey": auth["paymentKey"], "orderId": "order-redis-1", "amount": 1000}
        await c.post("/_sandbox/faults", json={"path": "/v1/payments/confirm", "chain": ["PROVIDER_ERROR", "ok"]})
        assert (await c.post("/v1/payments/confirm", headers=AUTH, json=body)).json()["code"] == "PROVIDER_ERROR"
        headers = {**AUTH, "Idempotency-Key": "redis-key-1"}
        first = await c.post("/v1/payments/confirm", headers=headers, json=body)
        assert first.status_code == 200
        await c.post(f"/v1/payments/{auth['paymentKey']}/cancel", headers=AUTH, json={"cancelReason": "x"})
        replay = await c.post("/v1/payments/confirm", headers=headers, json=body)
        assert replay.json() == first.json() and replay.json()["status"] == "DONE"

        late = await authorize("order-redis-2")
        await c.post("/_sandbox/clock", json={"advanceSeconds": 601})
        r = await c.post(
            "/v1/payments/confirm",
            headers=AUTH,
            json={"paymentKey": late["paymentKey"], "orderId": "order-redis-2", "amount": 1000},
        )
        assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND_PAYMENT_SESSION")
        assert (await c.get(f"/v1/payments/{late['paymentKey']}", headers=AUTH)).json()["status"] == "EXPIRED"

        await c.post("/_sandbox/clock", json={"advanceSeconds": 15 * 24 * 3600})
        again = await c.post("/v1/payments/confirm", headers=headers, json=body)
        assert again.json()["code"] == "ALREADY_PROCESSED_PAYMENT"  # the key is gone after 15 days
    await app.state.store.close()


def test_redis_reset_deletes_only_the_sandboxs_own_keys(redis_prefix):
    run_async(_redis_reset_deletes_only_the_sandboxs_own_keys(redis_prefix))


async def _redis_reset_deletes_only_the_sandboxs_own_keys(redis_prefix: str) -> None:
    neighbour = redis.Redis.from_url(SANDBOX_REDIS_URL)
    neighbour.set(f"other:{redis_prefix}keep", b"1")
    try:
        app = create_app(SandboxConfig(redis_url=SANDBOX_REDIS_URL, redis_prefix=redis_prefix))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
            await walk_through(c)
            assert (await c.post("/_sandbox/reset")).json() == {"ok": True}
            assert (await c.get("/_sandbox/payments")).json()["count"] == 0
        await app.state.store.close()
        assert neighbour.keys(redis_prefix + "*") == []
        assert neighbour.get(f"other:{redis_prefix}keep") == b"1"
    finally:
        neighbour.delete(f"other:{redis_prefix}keep")
        neighbour.close()


@pytest.fixture
def workers_url(redis_prefix) -> str:
    args = ["payapp.sandbox", "--redis-url", SANDBOX_REDIS_URL, "--redis-prefix", redis_prefix, "--workers", "2"]
    with server_process(args, "/_sandbox/health") as url:
        yield url


def fresh(url: str, method: str, path: str, **kw: object) -> httpx.Response:
    """One request on a new connection, so that any worker may take it."""
    with httpx.Client(base_url=url, timeout=30) as c:
        return c.request(method, path, **kw)


def in_parallel(n: int, call: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(call, range(n)))


def test_two_workers_both_answer(workers_url):
    pids: set[int] = set()
    for _ in range(10):  # the kernel picks the worker; a few rounds of parallel new connections reach both
        pids |= {r.json()["pid"] for r in in_parallel(10, lambda _: fresh(workers_url, "GET", "/_sandbox/health"))}
        if len(pids) == 2:
            break
    assert len(pids) == 2


def test_twenty_concurrent_confirms_across_workers_charge_exactly_once(workers_url):
    auth = fresh(
        workers_url,
        "POST",
        "/_sandbox/authorize",
        json={"clientKey": DOCS_CLIENT_KEY, "amount": 15000, "orderId": "order-workers-1", "orderName": "x"},
    ).json()
    body = {"paymentKey": auth["paymentKey"], "orderId": "order-workers-1", "amount": 15000}
    results = in_parallel(20, lambda _: fresh(workers_url, "POST", "/v1/payments/confirm", headers=AUTH, json=body))
    outcomes = Counter((r.status_code, r.json().get("code")) for r in results)
    assert outcomes == {(200, None): 1, (400, "ALREADY_PROCESSED_PAYMENT"): 19}
    # Every later request, whichever worker takes it, sees the one approval.
    reads = in_parallel(20, lambda _: fresh(workers_url, "GET", f"/v1/payments/{auth['paymentKey']}", headers=AUTH))
    assert {(r.json()["status"], r.json()["lastTransactionKey"]) for r in reads} == {
        ("DONE", next(r for r in results if r.status_code == 200).json()["lastTransactionKey"])
    }
    log = fresh(workers_url, "GET", "/_sandbox/requests", params={"path": "/v1/payments/confirm"}).json()
    assert log["count"] == 20


def test_concurrent_confirms_with_one_idempotency_key_across_workers_run_once(workers_url):
    auth = fresh(
        workers_url,
        "POST",
        "/_sandbox/authorize",
        json={"clientKey": DOCS_CLIENT_KEY, "amount": 1000, "orderId": "order-workers-2", "orderName": "x"},
    ).json()
    fresh(workers_url, "POST", "/_sandbox/faults", json={"path": "/v1/payments/confirm", "latencyMs": 300})
    body = {"paymentKey": auth["paymentKey"], "orderId": "order-workers-2", "amount": 1000}
    headers = {**AUTH, "Idempotency-Key": "workers-key"}
    results = in_parallel(10, lambda _: fresh(workers_url, "POST", "/v1/payments/confirm", headers=headers, json=body))
    assert {(r.status_code, r.json().get("code")) for r in results} <= {
        (200, None),
        (409, "IDEMPOTENT_REQUEST_PROCESSING"),
    }
    assert len({r.json()["lastTransactionKey"] for r in results if r.status_code == 200}) == 1
    log = fresh(workers_url, "GET", "/_sandbox/requests", params={"path": "/v1/payments/confirm"}).json()["data"]
    assert sum(1 for e in log if e["status"] == 200 and not e["replayed"]) == 1


def test_fault_steps_are_shared_by_the_workers(workers_url):
    auth = fresh(
        workers_url,
        "POST",
        "/_sandbox/authorize",
        json={"clientKey": DOCS_CLIENT_KEY, "amount": 1000, "orderId": "order-workers-3", "orderName": "x"},
    ).json()
    fresh(
        workers_url,
        "POST",
        "/_sandbox/faults",
        json={"path": "/v1/payments/*", "method": "GET", "errorCode": "PROVIDER_ERROR", "times": 5},
    )
    results = in_parallel(12, lambda _: fresh(workers_url, "GET", f"/v1/payments/{auth['paymentKey']}", headers=AUTH))
    assert Counter(r.status_code for r in results) == {400: 5, 200: 7}


def test_clock_is_shared_by_the_workers(workers_url):
    fresh(workers_url, "POST", "/_sandbox/clock", json={"advanceSeconds": 42})
    offsets = {
        r.json()["offsetSeconds"] for r in in_parallel(10, lambda _: fresh(workers_url, "GET", "/_sandbox/clock"))
    }
    assert offsets == {42}


def test_several_workers_without_redis_are_refused():
    r = subprocess.run(
        [sys.executable, "-m", "payapp.sandbox", "--port", "0", "--workers", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 2 and "--redis-url" in r.stderr
