"""Idempotency-Key on POSTs, with Toss's rules: scope (key, secret key, method, path),
15 days, the first response replayed, 300 characters at most, 409 while the first runs."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable

import httpx
import redis

from tests.conftest import SANDBOX_CLIENT_KEY
from tests.sandbox.conftest import SANDBOX_REDIS_URL
from tests.sandbox.flow import assert_error, authorize, cancel, confirm, paid, run_async
from tests.support.servers import server_process


def idem(headers: dict, key: str) -> dict:
    return {**headers, "Idempotency-Key": key}


def test_repeated_confirm_with_one_key_replays_the_first_response(sandbox, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    first = confirm(sandbox, auth, idem(docs_auth, key))
    again = confirm(sandbox, auth, idem(docs_auth, key))
    assert first.status_code == again.status_code == 200  # not ALREADY_PROCESSED_PAYMENT
    assert again.json() == first.json()
    assert again.headers.get("X-Sandbox-Idempotent-Replay") == "true"
    log = sandbox.get("/_sandbox/requests", params={"path": "/v1/payments/confirm"}).json()["data"]
    assert [e["replayed"] for e in log] == [False, True]
    assert all(e["idempotencyKey"] == key for e in log)


def test_replay_is_the_first_response_even_after_the_payment_changed(sandbox, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    first = confirm(sandbox, auth, idem(docs_auth, key)).json()
    assert cancel(sandbox, auth["paymentKey"], docs_auth).json()["status"] == "CANCELED"
    replay = confirm(sandbox, auth, idem(docs_auth, key)).json()
    assert replay == first
    assert replay["status"] == "DONE" and replay["cancels"] is None


def test_one_key_on_confirm_of_another_payment_returns_the_first_payments_response(sandbox, docs_auth):
    # Toss scopes by URL, not body: reusing a key across payments is a caller's bug.
    key = str(uuid.uuid4())
    one, two = authorize(sandbox), authorize(sandbox)
    first = confirm(sandbox, one, idem(docs_auth, key)).json()
    other = confirm(sandbox, two, idem(docs_auth, key)).json()
    assert other["paymentKey"] == one["paymentKey"] == first["paymentKey"]
    got = sandbox.get(f"/v1/payments/{two['paymentKey']}", headers=docs_auth).json()
    assert got["status"] == "IN_PROGRESS"


def test_one_key_under_another_secret_key_is_a_separate_request(sandbox, docs_auth, sandbox_auth):
    key = str(uuid.uuid4())
    docs_payment = confirm(sandbox, authorize(sandbox), idem(docs_auth, key))
    sbx_auth = authorize(sandbox, client_key=SANDBOX_CLIENT_KEY)
    sbx_payment = confirm(sandbox, sbx_auth, idem(sandbox_auth, key))
    assert sbx_payment.status_code == 200
    assert sbx_payment.json()["paymentKey"] == sbx_auth["paymentKey"] != docs_payment.json()["paymentKey"]


def test_one_key_on_another_path_is_a_separate_request(sandbox, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    confirm(sandbox, auth, idem(docs_auth, key))
    r = cancel(sandbox, auth["paymentKey"], idem(docs_auth, key), amount=1000)
    assert r.status_code == 200 and r.json()["status"] == "PARTIAL_CANCELED"


def test_padded_and_unpadded_basic_of_one_secret_share_a_scope(sandbox, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    unpadded = {"Authorization": docs_auth["Authorization"].rstrip("=")}
    assert unpadded != docs_auth
    first = confirm(sandbox, auth, idem(docs_auth, key))
    again = confirm(sandbox, auth, idem(unpadded, key))
    assert again.status_code == 200 and again.json() == first.json()


def test_repeated_partial_cancel_with_one_key_cancels_once(sandbox, docs_auth):
    p, key = paid(sandbox, docs_auth, amount=15000), str(uuid.uuid4())
    first = cancel(sandbox, p["paymentKey"], idem(docs_auth, key), amount=5000)
    again = cancel(sandbox, p["paymentKey"], idem(docs_auth, key), amount=5000)
    assert first.json() == again.json()
    got = sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()
    assert (got["balanceAmount"], len(got["cancels"])) == (10000, 1)


def test_error_response_is_replayed_too(sandbox, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    assert_error(confirm(sandbox, auth, idem(docs_auth, key), amount=1), 404, "NOT_FOUND_PAYMENT_SESSION")
    # Same key, now the right amount: still the first answer; a new key is needed.
    assert_error(confirm(sandbox, auth, idem(docs_auth, key)), 404, "NOT_FOUND_PAYMENT_SESSION")
    assert confirm(sandbox, auth, idem(docs_auth, str(uuid.uuid4()))).status_code == 200


def test_key_of_exactly_300_characters_is_accepted(sandbox, docs_auth):
    r = confirm(sandbox, authorize(sandbox), idem(docs_auth, "k" * 300))
    assert r.status_code == 200, r.text


def test_key_longer_than_300_characters_is_invalid_idempotency_key(sandbox, docs_auth):
    auth = authorize(sandbox)
    body = assert_error(confirm(sandbox, auth, idem(docs_auth, "k" * 301)), 400, "INVALID_IDEMPOTENCY_KEY")
    assert body["message"] == "멱등키는 300자 이하여야 합니다."
    # Refused before anything ran.
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()["status"] == "IN_PROGRESS"


def test_key_is_ignored_on_get(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    r = sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=idem(docs_auth, "k" * 400))
    assert r.status_code == 200
    cancel(sandbox, p["paymentKey"], docs_auth)
    again = sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=idem(docs_auth, "k" * 400))
    assert again.json()["status"] == "CANCELED"  # not a replay of the first GET


def test_same_key_while_the_first_is_running_is_idempotent_request_processing(sandbox, sandbox_url, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    sandbox.post("/_sandbox/faults", json={"path": "/v1/payments/confirm", "latencyMs": 1500}).raise_for_status()
    first: dict = {}

    def slow_first() -> None:
        with httpx.Client(base_url=sandbox_url, timeout=10) as c:
            first["response"] = confirm(c, auth, idem(docs_auth, key))

    worker = threading.Thread(target=slow_first)
    worker.start()
    _wait_until_key_held(sandbox)  # the first request holds the key: it is now inside its slow section
    second = confirm(sandbox, auth, idem(docs_auth, key))
    worker.join()
    body = assert_error(second, 409, "IDEMPOTENT_REQUEST_PROCESSING")
    assert body["message"] == "이전 멱등 요청이 처리중입니다."
    assert first["response"].status_code == 200
    # Retrying the same request afterwards reads the outcome.
    third = confirm(sandbox, auth, idem(docs_auth, key))
    assert third.status_code == 200 and third.json() == first["response"].json()


def test_key_is_kept_fifteen_days(sandbox, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    first = confirm(sandbox, auth, idem(docs_auth, key))
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 15 * 24 * 3600 - 60}).raise_for_status()
    again = confirm(sandbox, auth, idem(docs_auth, key))
    assert again.status_code == 200 and again.json() == first.json()


def test_key_older_than_fifteen_days_runs_the_request_again(sandbox, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    assert confirm(sandbox, auth, idem(docs_auth, key)).status_code == 200
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 15 * 24 * 3600 + 1}).raise_for_status()
    assert_error(confirm(sandbox, auth, idem(docs_auth, key)), 400, "ALREADY_PROCESSED_PAYMENT")


def _in_background(call: Callable[[httpx.Client], httpx.Response], url: str, results: dict) -> threading.Thread:
    def run() -> None:
        try:
            with httpx.Client(base_url=url, timeout=15) as c:
                results["response"] = call(c)
        except httpx.HTTPError as err:  # the server went away under it
            results["error"] = err

    worker = threading.Thread(target=run)
    worker.start()
    return worker


def _wait_until_key_held(client: httpx.Client, timeout: float = 10.0) -> None:
    """Until a running request holds an Idempotency-Key in the store (bounded)."""
    deadline = time.monotonic() + timeout
    while client.get("/_sandbox/idempotency").json()["processing"] < 1:
        assert time.monotonic() < deadline, "no request took its Idempotency-Key in time"
        time.sleep(0.02)


def test_idempotency_counts_running_and_answered_keys(sandbox, sandbox_url, docs_auth):
    assert sandbox.get("/_sandbox/idempotency").json() == {"processing": 0, "done": 0}
    confirm(sandbox, authorize(sandbox), idem(docs_auth, str(uuid.uuid4())))
    sandbox.post("/_sandbox/faults", json={"path": "/v1/payments/confirm", "latencyMs": 1000}).raise_for_status()
    auth, first = authorize(sandbox), {}
    worker = _in_background(lambda c: confirm(c, auth, idem(docs_auth, "slow")), sandbox_url, first)
    _wait_until_key_held(sandbox)
    assert sandbox.get("/_sandbox/idempotency").json() == {"processing": 1, "done": 1}
    worker.join()
    assert sandbox.get("/_sandbox/idempotency").json() == {"processing": 0, "done": 2}


def test_a_running_request_keeps_its_key_however_far_the_sandbox_clock_moves(any_sandbox, docs_auth):
    # The review's double cancel: a slow cancel, the sandbox clock moved past the old
    # 120 s hold, the same key again. It used to run a second cancel, and whichever
    # finished last overwrote the stored answer.
    p, key = paid(any_sandbox, docs_auth, amount=15000), str(uuid.uuid4())
    path = f"/v1/payments/{p['paymentKey']}/cancel"
    any_sandbox.post("/_sandbox/faults", json={"path": path, "latencyMs": 3000}).raise_for_status()
    first: dict = {}
    worker = _in_background(
        lambda c: cancel(c, p["paymentKey"], idem(docs_auth, key), amount=1000), str(any_sandbox.base_url), first
    )
    _wait_until_key_held(any_sandbox)
    assert_error(
        cancel(any_sandbox, p["paymentKey"], idem(docs_auth, key), amount=1000), 409, "IDEMPOTENT_REQUEST_PROCESSING"
    )
    any_sandbox.post("/_sandbox/clock", json={"advanceSeconds": 121}).raise_for_status()
    # The first is still asleep, and alive: the key stays held, the cancel does not run again.
    assert_error(
        cancel(any_sandbox, p["paymentKey"], idem(docs_auth, key), amount=1000), 409, "IDEMPOTENT_REQUEST_PROCESSING"
    )
    worker.join()
    assert first["response"].status_code == 200, first["response"].text
    replay = cancel(any_sandbox, p["paymentKey"], idem(docs_auth, key), amount=1000)
    assert replay.headers.get("X-Sandbox-Idempotent-Replay") == "true"
    assert replay.json() == first["response"].json()
    got = any_sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()
    assert (got["balanceAmount"], len(got["cancels"])) == (14000, 1)


def test_a_running_request_renews_its_hold_while_it_runs(docs_auth):
    # A hold of 1 real second, a request of 3: the run renews the hold, so the key is
    # still held well after the first second.
    with (
        server_process(["payapp.sandbox", "--idempotency-hold", "1"], "/_sandbox/health") as url,
        httpx.Client(base_url=url, timeout=10) as c,
    ):
        auth, key, first = authorize(c), str(uuid.uuid4()), {}
        c.post("/_sandbox/faults", json={"path": "/v1/payments/confirm", "latencyMs": 3000}).raise_for_status()
        worker = _in_background(lambda c2: confirm(c2, auth, idem(docs_auth, key)), url, first)
        _wait_until_key_held(c)
        time.sleep(1.6)
        assert_error(confirm(c, auth, idem(docs_auth, key)), 409, "IDEMPOTENT_REQUEST_PROCESSING")
        worker.join()
        assert first["response"].status_code == 200
        assert confirm(c, auth, idem(docs_auth, key)).json() == first["response"].json()


def test_key_of_a_worker_killed_mid_request_is_free_again_once_its_hold_runs_out(redis_prefix, docs_auth):
    hold = 3
    args = [
        "payapp.sandbox",
        "--redis-url",
        SANDBOX_REDIS_URL,
        "--redis-prefix",
        redis_prefix,
        "--idempotency-hold",
        str(hold),
    ]
    key, first = str(uuid.uuid4()), {}
    # The second worker runs before the first dies, so that nothing waits on a start-up.
    with (
        server_process(args, "/_sandbox/health") as url,
        httpx.Client(base_url=url, timeout=10) as c,
        server_process(args, "/_sandbox/health") as url2,
        httpx.Client(base_url=url2, timeout=10) as c2,
    ):
        auth = authorize(c)
        c.post("/_sandbox/faults", json={"path": "/v1/payments/confirm", "latencyMs": 30_000}).raise_for_status()
        worker = _in_background(lambda c3: confirm(c3, auth, idem(docs_auth, key)), url, first)
        _wait_until_key_held(c)
        r = redis.Redis.from_url(SANDBOX_REDIS_URL)
        [idem_key] = r.keys(redis_prefix + "idem:*")
        assert 0 < r.ttl(idem_key) <= hold  # not the 15 days of a finished request
        r.close()
        os.kill(c.get("/_sandbox/health").json()["pid"], signal.SIGKILL)  # the worker dies mid-request
        killed_at = time.monotonic()
        worker.join()
        assert "error" in first
        # The other worker cannot tell a dead request from a slow one: 409 for now, and
        # moving the sandbox clock changes nothing ...
        assert_error(confirm(c2, auth, idem(docs_auth, key)), 409, "IDEMPOTENT_REQUEST_PROCESSING")
        c2.post("/_sandbox/clock", json={"advanceSeconds": 121}).raise_for_status()
        assert_error(confirm(c2, auth, idem(docs_auth, key)), 409, "IDEMPOTENT_REQUEST_PROCESSING")
        # ... until the dead run's hold runs out in real time, unrenewed.
        while (done := confirm(c2, auth, idem(docs_auth, key))).status_code == 409:
            assert time.monotonic() - killed_at < hold + 5, "the dead worker's hold never ran out"
            time.sleep(0.1)
        assert done.status_code == 200 and done.json()["status"] == "DONE", done.text
        replay = confirm(c2, auth, idem(docs_auth, key))
        assert replay.json() == done.json() and replay.headers.get("X-Sandbox-Idempotent-Replay") == "true"


def test_only_the_run_holding_the_key_may_finish_or_abort_it(store):
    async def scenario() -> None:
        s = store()
        try:
            # A run whose hold ran out while nobody took the key still stores its answer:
            # dropping it would let the next retry execute the operation a second time.
            assert await s.idem_begin("late", "run-a", 0.0, 1) == ("new", None)
            await asyncio.sleep(1.2)
            assert await s.idem_finish("late", "run-a", {"status": 200, "body": {"run": "a"}}, 100.0, 600)
            assert await s.idem_begin("late", "run-z", 0.0, 60) == ("done", {"status": 200, "body": {"run": "a"}})

            assert await s.idem_begin("k", "run-a", 0.0, 1) == ("new", None)
            assert await s.idem_begin("k", "run-b", 0.0, 60) == ("processing", None)
            await asyncio.sleep(1.2)  # run-a's hold ran out unrenewed (a stalled worker) ...
            assert await s.idem_begin("k", "run-b", 0.0, 60) == ("new", None)  # ... run-b took the key
            assert not await s.idem_renew("k", "run-a", 60)
            # run-a finishing late must neither overwrite nor free run-b's hold.
            assert not await s.idem_finish("k", "run-a", {"status": 200, "body": {"run": "a"}}, 100.0, 600)
            assert not await s.idem_abort("k", "run-a")
            assert await s.idem_begin("k", "run-c", 0.0, 60) == ("processing", None)
            assert await s.idem_renew("k", "run-b", 60)
            assert await s.idem_finish("k", "run-b", {"status": 200, "body": {"run": "b"}}, 100.0, 600)
            assert not await s.idem_finish("k", "run-b", {"status": 200, "body": {"run": "b2"}}, 100.0, 600)
            assert not await s.idem_renew("k", "run-b", 60)  # a finished answer is not a hold
            assert await s.idem_begin("k", "run-c", 0.0, 60) == ("done", {"status": 200, "body": {"run": "b"}})
            assert await s.idem_counts(0.0) == {"processing": 0, "done": 2}  # "late" and "k"
            assert await s.idem_begin("k", "run-d", 100.0, 60) == ("new", None)  # 15 days on: expired
            assert await s.idem_abort("k", "run-d")
            assert await s.idem_counts(0.0) == {"processing": 0, "done": 1}  # "late" only
        finally:
            await s.close()

    run_async(scenario())
