"""Retention: the sandbox forgets what is past its settings, so a long-running one stays bounded.

A payment unchanged for ``SANDBOX_RETENTION_PAYMENT_SECONDS`` (sandbox clock), or beyond the
newest-changed ``SANDBOX_RETENTION_MAX_PAYMENTS``, is gone: by key and by orderId it answers
404 NOT_FOUND_PAYMENT, its transactions leave ``GET /v1/transactions``. Idempotency answers and
the logs keep only their newest entries. The memory server here is started with tiny settings.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from payapp.sandbox import SandboxConfig, create_app
from payapp.sandbox.config import Retention, parse_retention
from tests.conftest import DOCS_SECRET_KEY, basic
from tests.sandbox.flow import assert_error, authorize, cancel, confirm, paid, run_async
from tests.support.servers import server_process

AUTH = basic(DOCS_SECRET_KEY)
HOUR = 3600
EVERYTHING = {"startDate": "2000-01-01", "endDate": "2999-12-31T23:59:59"}
TINY = {
    "SANDBOX_RETENTION_PAYMENT_SECONDS": str(HOUR),
    "SANDBOX_RETENTION_MAX_PAYMENTS": "3",
    "SANDBOX_RETENTION_MAX_IDEMPOTENCY_ANSWERS": "2",
}


@pytest.fixture(scope="module")
def tiny_url() -> Iterator[str]:
    with server_process(["payapp.sandbox"], "/_sandbox/health", env=TINY) as url:
        yield url


@pytest.fixture
def tiny(tiny_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tiny_url, timeout=10) as client:
        client.post("/_sandbox/reset").raise_for_status()
        yield client


def advance(client: httpx.Client, seconds: int) -> None:
    client.post("/_sandbox/clock", json={"advanceSeconds": seconds}).raise_for_status()


def assert_gone(client: httpx.Client, payment: dict) -> None:
    assert_error(client.get(f"/v1/payments/{payment['paymentKey']}", headers=AUTH), 404, "NOT_FOUND_PAYMENT")
    assert_error(client.get(f"/v1/payments/orders/{payment['orderId']}", headers=AUTH), 404, "NOT_FOUND_PAYMENT")


def assert_kept(client: httpx.Client, payment: dict) -> None:
    by_key = client.get(f"/v1/payments/{payment['paymentKey']}", headers=AUTH)
    assert by_key.status_code == 200, by_key.text
    by_order = client.get(f"/v1/payments/orders/{payment['orderId']}", headers=AUTH)
    assert by_order.status_code == 200 and by_order.json()["paymentKey"] == payment["paymentKey"], by_order.text


def transaction_keys(client: httpx.Client) -> list[str]:
    r = client.get("/v1/transactions", headers=AUTH, params=EVERYTHING)
    assert r.status_code == 200, r.text
    return [row["paymentKey"] for row in r.json()]


def listed(client: httpx.Client) -> list[str]:
    return [p["paymentKey"] for p in client.get("/_sandbox/payments").json()["data"]]


def test_a_payment_unchanged_past_retention_is_not_found_by_key_or_order(tiny):
    payment = paid(tiny, AUTH)
    advance(tiny, HOUR - 60)
    assert_kept(tiny, payment)
    advance(tiny, 61)
    assert_gone(tiny, payment)
    assert payment["paymentKey"] not in transaction_keys(tiny)
    assert payment["paymentKey"] not in listed(tiny)


def test_a_change_starts_the_payment_retention_again(tiny):
    payment = paid(tiny, AUTH)
    advance(tiny, HOUR - 60)
    assert cancel(tiny, payment["paymentKey"], AUTH).status_code == 200
    advance(tiny, HOUR - 60)  # two hours after it was paid, one since it was cancelled
    assert_kept(tiny, payment)
    assert transaction_keys(tiny) == [payment["paymentKey"], payment["paymentKey"]]  # approval, cancel
    advance(tiny, 61)
    assert_gone(tiny, payment)
    assert transaction_keys(tiny) == []


def test_beyond_the_count_the_payment_that_changed_longest_ago_is_forgotten(tiny):
    first, second, third = (paid(tiny, AUTH, amount=1000 + i) for i in range(3))
    assert cancel(tiny, first["paymentKey"], AUTH).status_code == 200  # first changed last now
    fourth = paid(tiny, AUTH, amount=1004)
    assert_gone(tiny, second)
    for kept in (first, third, fourth):
        assert_kept(tiny, kept)
    assert sorted(listed(tiny)) == sorted(p["paymentKey"] for p in (first, third, fourth))
    assert second["paymentKey"] not in transaction_keys(tiny)
    assert first["paymentKey"] in transaction_keys(tiny)


def test_a_payment_opened_but_forgotten_cannot_be_confirmed(tiny):
    auth = authorize(tiny)
    for i in range(3):
        paid(tiny, AUTH, amount=2000 + i)
    headers = {**AUTH, "Idempotency-Key": str(uuid.uuid4())}
    assert_error(confirm(tiny, auth, headers), 404, "NOT_FOUND_PAYMENT")


def test_only_the_newest_idempotency_answers_are_kept(tiny):
    keys = [str(uuid.uuid4()) for _ in range(3)]
    auths = [authorize(tiny, amount=3000 + i) for i in range(3)]
    for auth, key in zip(auths, keys, strict=True):
        assert confirm(tiny, auth, {**AUTH, "Idempotency-Key": key}).status_code == 200
    newest = confirm(tiny, auths[2], {**AUTH, "Idempotency-Key": keys[2]})
    assert newest.status_code == 200 and newest.headers.get("X-Sandbox-Idempotent-Replay") == "true"
    # The oldest answer was dropped: the same key runs the confirm again, which Toss refuses.
    oldest = confirm(tiny, auths[0], {**AUTH, "Idempotency-Key": keys[0]})
    assert_error(oldest, 400, "ALREADY_PROCESSED_PAYMENT")
    assert oldest.headers.get("X-Sandbox-Idempotent-Replay") is None


def test_the_request_log_keeps_its_newest_entries():
    async def run() -> list[str]:
        app = create_app(SandboxConfig(request_log_size=3, retention=Retention(max_payments=10)))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test") as c:
            for n in range(5):
                r = await c.get(f"/v1/payments/nothing-{n}", headers=AUTH)
                assert r.status_code == 404
            log = (await c.get("/_sandbox/requests")).json()
        assert log["count"] == 3
        return [entry["path"] for entry in log["data"]]

    assert run_async(run()) == [f"/v1/payments/nothing-{n}" for n in (2, 3, 4)]


def test_retention_settings_are_read_from_the_environment():
    assert parse_retention({}) == Retention()
    assert parse_retention(TINY) == Retention(payment_seconds=HOUR, max_payments=3, max_idempotency_answers=2)
    for bad in ("0", "-1", "soon", "1.5"):
        with pytest.raises(ValueError, match="SANDBOX_RETENTION_MAX_PAYMENTS"):
            parse_retention({"SANDBOX_RETENTION_MAX_PAYMENTS": bad})
