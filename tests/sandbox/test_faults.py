"""POST /_sandbox/faults: errors for the next N calls, chains, latency, the lost response."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.sandbox.flow import assert_error, authorize, cancel, confirm, paid

CONFIRM = "/v1/payments/confirm"


def add_fault(sandbox: httpx.Client, **rule: object) -> dict:
    r = sandbox.post("/_sandbox/faults", json=rule)
    assert r.status_code == 201, r.text
    return r.json()


def test_error_fault_answers_the_next_n_calls_then_stops(sandbox, docs_auth):
    auth = authorize(sandbox)
    add_fault(sandbox, path=CONFIRM, errorCode="PROVIDER_ERROR", times=2)
    assert_error(confirm(sandbox, auth, docs_auth), 400, "PROVIDER_ERROR")
    assert_error(confirm(sandbox, auth, docs_auth), 400, "PROVIDER_ERROR")
    assert confirm(sandbox, auth, docs_auth).status_code == 200
    assert sandbox.get("/_sandbox/faults").json()["count"] == 0


def test_error_fault_commits_nothing(sandbox, docs_auth):
    auth = authorize(sandbox)
    add_fault(sandbox, path=CONFIRM, errorCode="FAILED_INTERNAL_SYSTEM_PROCESSING")
    assert_error(confirm(sandbox, auth, docs_auth), 500, "FAILED_INTERNAL_SYSTEM_PROCESSING")
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()["status"] == "IN_PROGRESS"


def test_error_fault_status_can_be_overridden(sandbox, docs_auth):
    add_fault(sandbox, path=CONFIRM, errorCode="TOO_MANY_REQUESTS", status=503)
    assert_error(confirm(sandbox, authorize(sandbox), docs_auth), 503, "TOO_MANY_REQUESTS")


def test_fault_with_a_code_outside_the_catalog_needs_a_status(sandbox, docs_auth):
    assert_error(
        sandbox.post("/_sandbox/faults", json={"path": CONFIRM, "errorCode": "GATEWAY_GONE"}), 400, "INVALID_REQUEST"
    )
    add_fault(sandbox, path=CONFIRM, errorCode="GATEWAY_GONE", status=502)
    assert_error(confirm(sandbox, authorize(sandbox), docs_auth), 502, "GATEWAY_GONE")


def test_chain_fails_fails_then_succeeds(sandbox, docs_auth):
    auth = authorize(sandbox)
    add_fault(sandbox, path=CONFIRM, chain=["PROVIDER_ERROR", {"errorCode": "COMMON_ERROR", "status": 502}, "ok"])
    assert_error(confirm(sandbox, auth, docs_auth), 400, "PROVIDER_ERROR")
    assert_error(confirm(sandbox, auth, docs_auth), 502, "COMMON_ERROR")
    assert confirm(sandbox, auth, docs_auth).status_code == 200
    assert sandbox.get("/_sandbox/faults").json()["count"] == 0


def test_ok_step_in_a_chain_lets_one_call_through(sandbox, docs_auth):
    auth = authorize(sandbox)
    add_fault(sandbox, path="/v1/payments/*", method="GET", chain=["ok", "PROVIDER_ERROR"])
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).status_code == 200
    assert_error(sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth), 400, "PROVIDER_ERROR")


def test_fault_path_is_a_glob_and_method_filters(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    add_fault(sandbox, path="/v1/payments/*/cancel", method="POST", errorCode="FAILED_REFUND_PROCESS")
    # A GET of the payment does not match: neither path nor method.
    assert sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).status_code == 200
    assert_error(cancel(sandbox, p["paymentKey"], docs_auth), 500, "FAILED_REFUND_PROCESS")
    assert cancel(sandbox, p["paymentKey"], docs_auth).status_code == 200


def test_method_filter_skips_other_methods(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    add_fault(sandbox, path=f"/v1/payments/{p['paymentKey']}", method="POST", errorCode="PROVIDER_ERROR")
    assert sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).status_code == 200
    assert sandbox.get("/_sandbox/faults").json()["count"] == 1


def test_forever_fault_stays_until_cleared(sandbox, docs_auth):
    auth = authorize(sandbox)
    add_fault(sandbox, path=CONFIRM, errorCode="PROVIDER_ERROR", forever=True)
    for _ in range(5):
        assert_error(confirm(sandbox, auth, docs_auth), 400, "PROVIDER_ERROR")
    assert sandbox.delete("/_sandbox/faults").json() == {"ok": True}
    assert confirm(sandbox, auth, docs_auth).status_code == 200


def test_fault_error_comes_before_authentication(sandbox):
    add_fault(sandbox, path=CONFIRM, errorCode="PROVIDER_ERROR")
    # No Authorization at all: the network failed before Toss could look at the key.
    assert_error(sandbox.post(CONFIRM, json={}), 400, "PROVIDER_ERROR")


def test_fault_error_is_never_remembered_under_an_idempotency_key(sandbox, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    add_fault(sandbox, path=CONFIRM, errorCode="PROVIDER_ERROR")
    headers = {**docs_auth, "Idempotency-Key": key}
    assert_error(confirm(sandbox, auth, headers), 400, "PROVIDER_ERROR")
    retry = confirm(sandbox, auth, headers)
    assert retry.status_code == 200 and retry.headers.get("X-Sandbox-Idempotent-Replay") is None


def test_latency_fault_delays_the_response(sandbox, docs_auth):
    auth = authorize(sandbox)
    add_fault(sandbox, path=CONFIRM, latencyMs=400)
    started = time.monotonic()
    r = confirm(sandbox, auth, docs_auth)
    assert time.monotonic() - started >= 0.4
    assert r.status_code == 200


def test_latency_with_an_error_delays_then_fails(sandbox, docs_auth):
    add_fault(sandbox, path=CONFIRM, errorCode="PROVIDER_ERROR", latencyMs=300)
    started = time.monotonic()
    assert_error(confirm(sandbox, authorize(sandbox), docs_auth), 400, "PROVIDER_ERROR")
    assert time.monotonic() - started >= 0.3


def test_lost_response_commits_the_confirm_but_never_answers(sandbox, sandbox_url, docs_auth):
    auth, key = authorize(sandbox), str(uuid.uuid4())
    add_fault(sandbox, path=CONFIRM, lostResponse=True)
    headers = {**docs_auth, "Idempotency-Key": key}
    with httpx.Client(base_url=sandbox_url, timeout=1.0) as impatient, pytest.raises(httpx.ReadTimeout):
        confirm(impatient, auth, headers)
    # The charge happened although the shop never heard of it.
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()["status"] == "DONE"
    # Retrying with the same key reads the answer that was lost; without it, Toss says "already".
    replay = confirm(sandbox, auth, headers)
    assert replay.status_code == 200 and replay.json()["status"] == "DONE"
    assert_error(confirm(sandbox, auth, docs_auth), 400, "ALREADY_PROCESSED_PAYMENT")


def test_faults_are_listed_and_logged(sandbox, docs_auth):
    rule = add_fault(sandbox, path=CONFIRM, method="post", chain=["PROVIDER_ERROR", "ok"])
    assert (rule["method"], len(rule["steps"])) == ("POST", 2)
    [listed] = sandbox.get("/_sandbox/faults").json()["data"]
    assert listed["id"] == rule["id"] and listed["path"] == CONFIRM
    confirm(sandbox, authorize(sandbox), docs_auth)
    [entry] = sandbox.get("/_sandbox/requests", params={"path": CONFIRM}).json()["data"]
    assert entry["fault"] == {"errorCode": "PROVIDER_ERROR"} and entry["code"] == "PROVIDER_ERROR"


@pytest.mark.parametrize(
    "body",
    [
        {"errorCode": "PROVIDER_ERROR"},
        {"path": "v1/payments/confirm", "errorCode": "PROVIDER_ERROR"},
        {"path": CONFIRM},
        {"path": CONFIRM, "errorCode": "PROVIDER_ERROR", "times": 0},
        {"path": CONFIRM, "latencyMs": -5},
        {"path": CONFIRM, "chain": []},
        {"path": CONFIRM, "chain": [42]},
    ],
    ids=["no-path", "relative-path", "nothing-to-do", "zero-times", "negative-latency", "empty-chain", "bad-step"],
)
def test_invalid_fault_rule_is_invalid_request(sandbox, body):
    assert_error(sandbox.post("/_sandbox/faults", json=body), 400, "INVALID_REQUEST")
    assert sandbox.get("/_sandbox/faults").json()["count"] == 0
