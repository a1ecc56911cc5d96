"""Step 7.5: failure semantics as Toss has them.

ABORTED comes only from a refused confirm (toss-api.md §13): a refusal in the window sends the
buyer to failUrl and approves nothing (see test_window_http / test_control); a *sticky* fault
makes the next confirm fail for real — the payment is ABORTED with ``failure``, a webhook goes
out, and the answer is kept under the Idempotency-Key so a retry gets the same refusal.
"""

from __future__ import annotations

import pytest

from tests.sandbox.flow import assert_error, authorize, cancel, confirm, paid
from tests.sandbox.test_webhooks import Receiver, events


@pytest.fixture
def receiver(sandbox):
    rec = Receiver()
    assert sandbox.post("/_sandbox/webhooks", json={"url": rec.url}).status_code == 201
    try:
        yield rec
    finally:
        sandbox.post("/_sandbox/webhooks/flush")
        sandbox.delete("/_sandbox/webhooks")
        rec.close()


def sticky(client, code: str = "REJECT_CARD_PAYMENT", **extra) -> dict:
    r = client.post(
        "/_sandbox/faults", json={"path": "/v1/payments/confirm", "errorCode": code, "sticky": True, **extra}
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_a_sticky_refusal_aborts_the_payment_for_real(any_sandbox, docs_auth):
    auth = authorize(any_sandbox)
    rule = sticky(any_sandbox)
    assert rule["steps"] == [{"errorCode": "REJECT_CARD_PAYMENT", "sticky": True}]
    headers = {**docs_auth, "Idempotency-Key": f"confirm-{auth['orderId']}"}
    first = assert_error(confirm(any_sandbox, auth, headers), 403, "REJECT_CARD_PAYMENT")
    p = any_sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()
    assert (p["status"], p["failure"]) == ("ABORTED", {"code": "REJECT_CARD_PAYMENT", "message": first["message"]})
    assert p["approvedAt"] is None and p["card"] is None
    # The retry with the same key is the same refusal, replayed; without a key it is processed.
    again = confirm(any_sandbox, auth, headers)
    assert again.json() == first and again.headers.get("x-sandbox-idempotent-replay") == "true"
    assert_error(confirm(any_sandbox, auth, docs_auth), 400, "ALREADY_PROCESSED_PAYMENT")
    log = any_sandbox.get("/_sandbox/requests", params={"path": "/v1/payments/confirm"}).json()["data"]
    assert [(e["status"], e["replayed"]) for e in log] == [(403, False), (403, True), (400, False)]
    assert log[0]["fault"] == {"errorCode": "REJECT_CARD_PAYMENT", "sticky": True}


def test_a_sticky_refusal_sends_the_aborted_webhook(sandbox, docs_auth, receiver):
    auth = authorize(sandbox)
    sticky(sandbox, "INVALID_STOPPED_CARD")
    assert_error(confirm(sandbox, auth, docs_auth), 400, "INVALID_STOPPED_CARD")
    [req] = events(sandbox, receiver, 1)
    data = req["body"]["data"]
    assert (req["body"]["eventType"], data["paymentKey"], data["status"], data["failure"]["code"]) == (
        "PAYMENT_STATUS_CHANGED",
        auth["paymentKey"],
        "ABORTED",
        "INVALID_STOPPED_CARD",
    )


def test_a_sticky_refusal_at_its_own_status_and_then_the_order_can_be_paid_again(sandbox, docs_auth):
    auth = authorize(sandbox)
    sticky(sandbox, "CARD_DECLINED_SOMEHOW", status=402)
    assert_error(confirm(sandbox, auth, docs_auth), 402, "CARD_DECLINED_SOMEHOW")
    retry = authorize(sandbox, orderId=auth["orderId"])  # ABORTED does not block a new attempt
    assert confirm(sandbox, retry, docs_auth).json()["status"] == "DONE"


def test_a_sticky_fault_only_refuses_a_confirm_that_could_be_approved(sandbox, docs_auth):
    auth = authorize(sandbox, outcome="cancel")  # READY: nothing to approve, nothing to refuse
    sticky(sandbox)
    assert_error(confirm(sandbox, auth, docs_auth), 404, "NOT_FOUND_PAYMENT_SESSION")
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()["status"] == "READY"


def test_a_sticky_fault_on_another_path_is_remembered_but_changes_nothing(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    sandbox.post(
        "/_sandbox/faults", json={"path": "/v1/payments/*/cancel", "errorCode": "FAILED_REFUND_PROCESS", "sticky": True}
    ).raise_for_status()
    headers = {**docs_auth, "Idempotency-Key": "cancel-sticky"}
    assert_error(cancel(sandbox, p["paymentKey"], headers), 500, "FAILED_REFUND_PROCESS")
    assert_error(cancel(sandbox, p["paymentKey"], headers), 500, "FAILED_REFUND_PROCESS")  # the kept answer
    assert sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()["status"] == "DONE"
    assert cancel(sandbox, p["paymentKey"], docs_auth).json()["status"] == "CANCELED"


def test_a_plain_fault_still_changes_nothing(sandbox, docs_auth):
    """The existing network-like faults keep their meaning: the payment stays IN_PROGRESS."""
    auth = authorize(sandbox)
    sandbox.post(
        "/_sandbox/faults", json={"path": "/v1/payments/confirm", "errorCode": "REJECT_CARD_PAYMENT"}
    ).raise_for_status()
    assert_error(confirm(sandbox, auth, docs_auth), 403, "REJECT_CARD_PAYMENT")
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()["status"] == "IN_PROGRESS"
    assert confirm(sandbox, auth, docs_auth).json()["status"] == "DONE"


@pytest.mark.parametrize(
    "body",
    [
        {"path": "/v1/payments/confirm", "sticky": True, "latencyMs": 10},
        {"path": "/v1/payments/confirm", "sticky": True, "errorCode": "PROVIDER_ERROR", "lostResponse": True},
    ],
    ids=["no-error-code", "lost-response"],
)
def test_a_sticky_rule_needs_an_error_code(sandbox, body):
    assert_error(sandbox.post("/_sandbox/faults", json=body), 400, "INVALID_REQUEST")


def test_sticky_steps_in_a_chain(sandbox, docs_auth):
    a, b = authorize(sandbox), authorize(sandbox)
    sandbox.post(
        "/_sandbox/faults",
        json={
            "path": "/v1/payments/confirm",
            "chain": ["PROVIDER_ERROR", {"errorCode": "REJECT_CARD_PAYMENT", "sticky": True}],
        },
    ).raise_for_status()
    assert_error(confirm(sandbox, a, docs_auth), 400, "PROVIDER_ERROR")  # the network: nothing changed
    assert_error(confirm(sandbox, a, docs_auth), 403, "REJECT_CARD_PAYMENT")  # Toss: ABORTED
    assert sandbox.get(f"/v1/payments/{a['paymentKey']}", headers=docs_auth).json()["status"] == "ABORTED"
    assert confirm(sandbox, b, docs_auth).json()["status"] == "DONE"
