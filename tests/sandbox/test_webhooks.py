"""Outgoing webhooks: PAYMENT_STATUS_CHANGED to registered targets, retried on the sandbox clock."""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import orjson
import pytest

from payapp.sandbox import SandboxConfig, create_app
from tests.conftest import DOCS_CLIENT_KEY, DOCS_SECRET_KEY, basic
from tests.sandbox.conftest import SANDBOX_REDIS_URL
from tests.sandbox.flow import authorize, cancel, confirm, paid, run_async


class Receiver:
    """A tiny webhook target: records every request, answers from ``statuses`` (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": orjson.loads(body),
                    }
                )
                time.sleep(receiver.delay)
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"{len(self.requests)} of {count} webhooks arrived"
            time.sleep(0.02)
        return self.requests

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(sandbox) -> Iterator[Receiver]:
    rec = Receiver()
    r = sandbox.post("/_sandbox/webhooks", json={"url": rec.url})
    assert r.status_code == 201, r.text
    try:
        yield rec
    finally:
        sandbox.post("/_sandbox/webhooks/flush")  # nothing still in flight into the next test
        sandbox.delete("/_sandbox/webhooks")
        rec.close()


def events(sandbox, rec: Receiver, count: int) -> list[dict]:
    """The first ``count`` webhooks, once every delivery in flight has finished."""
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    return rec.wait_for(count)


def test_register_list_and_clear(sandbox):
    assert sandbox.get("/_sandbox/webhooks").json() == {"data": [], "count": 0}
    r = sandbox.post("/_sandbox/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert r.status_code == 201 and r.json() == {
        "url": "http://127.0.0.1:9/hook",
        "events": ["DEPOSIT_CALLBACK", "PAYMENT_STATUS_CHANGED"],
    }
    assert sandbox.get("/_sandbox/webhooks").json()["count"] == 1
    assert sandbox.post("/_sandbox/webhooks", json={"url": "ftp://x"}).status_code == 400
    assert (
        sandbox.post("/_sandbox/webhooks", json={"url": "http://a/h", "events": ["BILLING_DELETED"]}).status_code == 400
    )
    only = sandbox.post("/_sandbox/webhooks", json={"url": "http://a/h", "events": ["DEPOSIT_CALLBACK"]})
    assert only.status_code == 201 and only.json()["events"] == ["DEPOSIT_CALLBACK"]
    sandbox.delete("/_sandbox/webhooks").raise_for_status()
    assert sandbox.get("/_sandbox/webhooks").json()["count"] == 0
    sandbox.post("/_sandbox/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    sandbox.post("/_sandbox/reset").raise_for_status()
    assert sandbox.get("/_sandbox/webhooks").json()["count"] == 0


def test_confirm_sends_done_with_the_payment_and_the_headers(sandbox, docs_auth, receiver):
    auth = authorize(sandbox)
    assert receiver.requests == []  # IN_PROGRESS is not an event
    r = confirm(sandbox, auth, docs_auth)
    assert r.status_code == 200, r.text
    [req] = events(sandbox, receiver, 1)
    assert req["path"] == "/hook"
    body = req["body"]
    assert body["eventType"] == "PAYMENT_STATUS_CHANGED"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", body["createdAt"])
    assert body["data"] == r.json()  # the full Payment object, as the confirm answered it
    h = req["headers"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", h["tosspayments-webhook-transmission-time"])
    assert h["tosspayments-webhook-transmission-retried-count"] == "0"
    assert h["tosspayments-webhook-transmission-id"].startswith("whtrans_")
    [d] = sandbox.get("/_sandbox/webhooks/deliveries").json()["data"]
    assert d["transmissionId"] == h["tosspayments-webhook-transmission-id"]
    assert (d["eventType"], d["url"], d["status"], d["retriedCount"], d["orderId"], d["paymentStatus"]) == (
        "PAYMENT_STATUS_CHANGED",
        receiver.url,
        200,
        0,
        auth["orderId"],
        "DONE",
    )


def test_partial_then_full_cancel(sandbox, docs_auth, receiver):
    p = paid(sandbox, docs_auth, amount=15000)
    assert cancel(sandbox, p["paymentKey"], docs_auth, amount=5000).status_code == 200
    assert cancel(sandbox, p["paymentKey"], docs_auth).status_code == 200
    reqs = events(sandbox, receiver, 3)
    statuses = sorted((r["body"]["data"]["status"], r["body"]["data"]["balanceAmount"]) for r in reqs)
    assert statuses == [("CANCELED", 0), ("DONE", 15000), ("PARTIAL_CANCELED", 10000)]
    assert len({r["headers"]["tosspayments-webhook-transmission-id"] for r in reqs}) == 3


def test_window_rejection_sends_nothing(sandbox, receiver):
    # Nothing changed at Toss: the buyer was sent to failUrl, the payment stays READY.
    authorize(sandbox, outcome="reject")
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    time.sleep(0.2)
    assert receiver.requests == []


def test_expiry_on_the_clock_sends_expired(sandbox, receiver):
    auth = authorize(sandbox)  # IN_PROGRESS: 10 minutes to confirm
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 601}).raise_for_status()
    [req] = receiver.wait_for(1)  # sent without anyone reading the payment
    assert (req["body"]["data"]["paymentKey"], req["body"]["data"]["status"]) == (auth["paymentKey"], "EXPIRED")


def test_failed_delivery_is_retried_on_the_sandbox_clock(sandbox, docs_auth, receiver):
    receiver.statuses = [500]
    paid(sandbox, docs_auth)
    [first] = events(sandbox, receiver, 1)
    [d] = sandbox.get("/_sandbox/webhooks/deliveries").json()["data"]
    assert (d["status"], d["retriedCount"]) == (500, 0)
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    assert len(receiver.requests) == 1  # not due yet: the first retry waits a minute
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 60}).raise_for_status()
    first, again = receiver.wait_for(2)
    tid = first["headers"]["tosspayments-webhook-transmission-id"]
    assert again["headers"]["tosspayments-webhook-transmission-id"] == tid
    assert again["headers"]["tosspayments-webhook-transmission-retried-count"] == "1"
    assert again["body"] == first["body"]
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    log = sandbox.get("/_sandbox/webhooks/deliveries").json()["data"]
    assert [(e["transmissionId"], e["status"], e["retriedCount"]) for e in log] == [(tid, 500, 0), (tid, 200, 1)]
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 10_000 * 60}).raise_for_status()
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    assert len(receiver.requests) == 2  # answered 200: nothing more


def test_unreachable_target_gives_up_after_seven_retries(sandbox, docs_auth):
    sandbox.post("/_sandbox/webhooks", json={"url": "http://127.0.0.1:9/nobody"}).raise_for_status()
    paid(sandbox, docs_auth)
    sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    for minutes in (1, 4, 16, 64, 256, 1024, 4096, 10_000):
        sandbox.post("/_sandbox/clock", json={"advanceSeconds": minutes * 60}).raise_for_status()
        sandbox.post("/_sandbox/webhooks/flush").raise_for_status()
    log = sandbox.get("/_sandbox/webhooks/deliveries").json()["data"]
    assert [e["retriedCount"] for e in log] == list(range(8))
    assert all(e["status"] is None and e["error"] for e in log)


def test_a_slow_receiver_does_not_delay_the_api(sandbox, docs_auth, receiver):
    receiver.delay = 3.0
    auth = authorize(sandbox)
    started = time.monotonic()
    r = confirm(sandbox, auth, docs_auth)
    took = time.monotonic() - started
    assert r.status_code == 200, r.text
    assert took < receiver.delay / 3, f"confirm took {took:.2f} s behind a {receiver.delay} s receiver"
    [req] = receiver.wait_for(1)
    assert req["body"]["data"]["status"] == "DONE"


def test_redis_workers_share_targets_and_send_each_retry_once(redis_prefix):
    rec = Receiver()
    rec.statuses = [503]
    try:
        run_async(_two_workers(redis_prefix, rec))
    finally:
        rec.close()


async def _two_workers(prefix: str, rec: Receiver) -> None:
    config = SandboxConfig(redis_url=SANDBOX_REDIS_URL, redis_prefix=prefix)
    apps = [create_app(config), create_app(config)]
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://sandbox") for a in apps]
    one, two = clients
    try:
        assert (await one.post("/_sandbox/webhooks", json={"url": rec.url})).status_code == 201
        assert (await two.get("/_sandbox/webhooks")).json()["count"] == 1
        auth = (
            await two.post(
                "/_sandbox/authorize",
                json={
                    "clientKey": DOCS_CLIENT_KEY,
                    "amount": 1000,
                    "orderId": f"order-{uuid.uuid4().hex[:12]}",
                    "orderName": "x",
                },
            )
        ).json()
        r = await two.post(
            "/v1/payments/confirm",
            headers=basic(DOCS_SECRET_KEY),
            json={"paymentKey": auth["paymentKey"], "orderId": auth["orderId"], "amount": 1000},
        )
        assert r.status_code == 200, r.text
        await two.post("/_sandbox/webhooks/flush")  # worker two sent it and got 503
        await one.post("/_sandbox/clock", json={"advanceSeconds": 60})
        await asyncio.gather(one.post("/_sandbox/webhooks/flush"), two.post("/_sandbox/webhooks/flush"))
        log = (await one.get("/_sandbox/webhooks/deliveries")).json()["data"]
        assert [(d["status"], d["retriedCount"]) for d in log] == [(503, 0), (200, 1)]
        assert len(rec.requests) == 2
    finally:
        for c, a in zip(clients, apps, strict=True):
            await c.aclose()
            await a.state.store.close()
