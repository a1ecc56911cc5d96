"""Redis or PostgreSQL down: answers come fast as 503 with Retry-After, nothing is half-written,
and once the part is back the database and the sandbox's ledger agree. The outages are real:
a private redis-server the test kills, a TCP proxy in front of PostgreSQL the test cuts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from tests.core.conftest import CONFIG_VARS, Shop, fresh_pg_database
from tests.support.outages import TcpProxy, private_redis
from tests.support.servers import spawn_server, stop_server

FAST = 5.0  # seconds: the pools and timeouts answer in about 2; a hung request would take 20+


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def start_shop(
    stack: ExitStack, sandbox_url: str, tmp_path, redis_url: str, db_port: int = 5432, **settings: str
) -> Shop:
    direct = stack.enter_context(fresh_pg_database("payapp_outage"))
    db_url = direct.replace("127.0.0.1:5432", f"127.0.0.1:{db_port}")
    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "TOSS_API_BASE": sandbox_url,
        "PAYAPP_DATA_DIR": str(tmp_path),
        "TOSS_TIMEOUT_SECONDS": "1.5",
        "TOSS_CONFIRM_RETRIES": "2",
        **settings,
    }
    proc, url = spawn_server(["payapp.api"], "/v1/health", env=env, drop_env=CONFIG_VARS, timeout=60)
    stack.callback(stop_server, proc)
    return Shop("outage", url, sandbox_url, direct, env)


def unavailable(response: httpx.Response, took: float) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert int(response.headers["Retry-After"]) > 0
    assert took < FAST, f"answered after {took:.1f} s"


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_redis_down_prepare_and_confirm_answer_503_fast_and_nothing_is_charged(stack, sandbox_url, tmp_path):
    redis = stack.enter_context(private_redis())
    shop = start_shop(stack, sandbox_url, tmp_path, redis.url)
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    redis.kill()

    unavailable(
        *timed(
            lambda: shop.http.post(
                "/v1/payments/prepare",
                headers=buyer,
                json={"items": [{"productId": shop.products()[0]["id"], "quantity": 1}]},
            )
        )
    )
    unavailable(*timed(lambda: shop.confirm(buyer, authorized)))
    assert shop.toss_confirms(authorized["orderId"]) == []
    assert shop.rows("SELECT id FROM payment WHERE order_id = :o", o=authorized["orderId"]) == []

    redis.start()  # back, empty: the prepared order is gone, so the buyer starts again
    again = shop.confirm(buyer, authorized)
    assert again.status_code == 404 and again.json()["code"] == "PAYMENT_INFO_NOT_FOUND", again.text
    # In agreement: nothing charged at the sandbox, nothing paid in the database.
    assert shop.toss_confirms(authorized["orderId"]) == []
    assert (
        shop.sandbox.get("/_sandbox/payments", params={"orderId": authorized["orderId"]}).json()["data"][0]["status"]
        == "IN_PROGRESS"
    )  # authenticated, never confirmed: Toss lets it expire
    fresh = shop.authorize(shop.prepare(buyer))
    assert shop.confirm(buyer, fresh).json()["status"] == "DONE"


def test_postgres_down_at_confirm_means_no_toss_call_and_the_order_stays_payable(stack, sandbox_url, tmp_path):
    proxy = stack.enter_context(TcpProxy(("127.0.0.1", 5432)))
    shop = start_shop(stack, sandbox_url, tmp_path, "redis://127.0.0.1:6379/6", db_port=proxy.port)
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    proxy.cut()
    unavailable(*timed(lambda: shop.confirm(buyer, authorized)))
    assert shop.toss_confirms(authorized["orderId"]) == []
    proxy.restore()
    assert shop.rows("SELECT id FROM payment WHERE order_id = :o", o=authorized["orderId"]) == []
    paid = shop.confirm(buyer, authorized)
    assert paid.status_code == 200 and paid.json()["status"] == "DONE", paid.text
    assert len(shop.toss_confirms(authorized["orderId"])) == 1


def test_postgres_lost_after_toss_said_done_is_settled_when_it_is_back(stack, sandbox_url, tmp_path):
    proxy = stack.enter_context(TcpProxy(("127.0.0.1", 5432)))
    shop = start_shop(
        stack,
        sandbox_url,
        tmp_path,
        "redis://127.0.0.1:6379/6",
        db_port=proxy.port,
        TOSS_TIMEOUT_SECONDS="10",
        RECONCILE_MIN_AGE_SECONDS="2",
        RECONCILE_INTERVAL_SECONDS="1",
    )
    buyer = shop.signup()
    authorized = shop.authorize(shop.prepare(buyer))
    answer: list[httpx.Response] = []
    with shop.faulted(path="/v1/payments/confirm", method="POST", latencyMs=3000):
        confirming = threading.Thread(target=lambda: answer.append(shop.confirm(buyer, authorized)))
        confirming.start()
        deadline = time.monotonic() + 10  # the intent row is written, Toss is thinking: cut the database
        while not shop.rows("SELECT id FROM payment WHERE order_id = :o", o=authorized["orderId"]):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proxy.cut()
        confirming.join(30)
    [response] = answer
    assert response.status_code == 503 and response.json()["code"] == "SERVICE_UNAVAILABLE", response.text
    [toss] = shop.sandbox.get("/_sandbox/payments", params={"orderId": authorized["orderId"]}).json()["data"]
    assert toss["status"] == "DONE"  # charged at Toss; our row still says IN_PROGRESS
    assert shop.payment_row(authorized["orderId"])["status"] == "IN_PROGRESS"

    proxy.restore()
    deadline = time.monotonic() + 60
    while shop.payment_row(authorized["orderId"])["status"] != "DONE":
        assert time.monotonic() < deadline, "reconciliation did not settle it once PostgreSQL was back"
        time.sleep(0.5)
    assert shop.events(authorized["orderId"])[-1]["source"] == "reconcile"
    assert len([e for e in shop.toss_confirms(authorized["orderId"]) if e["status"] == 200]) == 1
