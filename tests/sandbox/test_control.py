"""The control API under /_sandbox/: the headless buyer, reset, listings, the request log, the clock."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import DOCS_CLIENT_KEY
from tests.sandbox.flow import assert_error, authorize, confirm, order_id, paid


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_authorize_approve_gives_the_success_redirect(sandbox, sandbox_url):
    auth = authorize(sandbox, amount=15000)
    assert {"paymentKey", "orderId", "amount", "redirectUrl"} <= auth.keys()
    assert (auth["amount"], auth["status"]) == (15000, "IN_PROGRESS")
    assert auth["redirectUrl"].startswith(sandbox_url + "/_sandbox/landing/success?")
    q = query_of(auth["redirectUrl"])
    assert (q["paymentKey"], q["orderId"], q["amount"], q["paymentType"]) == (
        auth["paymentKey"],
        auth["orderId"],
        "15000",
        "NORMAL",
    )
    landing = sandbox.get(auth["redirectUrl"])
    assert landing.status_code == 200 and auth["paymentKey"] in landing.text


def test_authorize_appends_to_a_success_url_that_has_a_query(sandbox):
    auth = authorize(sandbox, successUrl="https://shop.example/pay/success?cart=7", failUrl="https://shop.example/f")
    assert auth["redirectUrl"].startswith("https://shop.example/pay/success?cart=7&")
    assert query_of(auth["redirectUrl"])["paymentKey"] == auth["paymentKey"]


def test_authorize_keeps_the_merchants_query_byte_for_byte(sandbox):
    # ?flag must not become ?flag=, nor %2F turn into /: the query is the merchant's.
    auth = authorize(
        sandbox,
        successUrl="https://shop.example/pay/success?flag&next=%2Fcart&q=a+b#top",
        failUrl="https://shop.example/f?flag",
    )
    url = auth["redirectUrl"]
    assert url.startswith("https://shop.example/pay/success?flag&next=%2Fcart&q=a+b&paymentType=NORMAL&")
    assert url.endswith("#top") and query_of(url)["paymentKey"] == auth["paymentKey"]
    rejected = authorize(sandbox, outcome="reject", failUrl="https://shop.example/f?flag")
    assert rejected["redirectUrl"].startswith("https://shop.example/f?flag&code=REJECT_CARD_COMPANY&")


def test_authorize_reject_gives_the_fail_redirect_and_approves_nothing(sandbox, docs_auth):
    # Toss never reaches ABORTED from the window: a refusal there only sends the buyer to
    # failUrl; the payment was never approved and runs out (toss-api.md §13).
    auth = authorize(sandbox, outcome="reject", failUrl="https://shop.example/pay/fail")
    assert auth["code"] == "REJECT_CARD_COMPANY"
    q = query_of(auth["redirectUrl"])
    assert auth["redirectUrl"].startswith("https://shop.example/pay/fail?")
    assert (q["code"], q["orderId"]) == ("REJECT_CARD_COMPANY", auth["orderId"]) and q["message"]
    p = sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()
    assert (p["status"], p["failure"], p["approvedAt"]) == ("READY", None, None)
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 1801}).raise_for_status()
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()["status"] == "EXPIRED"


def test_authorize_cancel_is_the_buyer_backing_out(sandbox, docs_auth):
    auth = authorize(sandbox, outcome="cancel")
    assert auth["code"] == "PAY_PROCESS_CANCELED"
    assert query_of(auth["redirectUrl"])["code"] == "PAY_PROCESS_CANCELED"
    assert sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()["status"] == "READY"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"outcome": "maybe"}, 400, "INVALID_REQUEST"),
        ({"amount": 0}, 400, "INVALID_REQUEST"),
        ({"amount": "free"}, 400, "INVALID_REQUEST"),
        ({"orderId": "abc"}, 400, "INVALID_REQUEST"),
        ({"orderName": ""}, 400, "INVALID_REQUEST"),
        ({"orderName": "x" * 101}, 400, "INVALID_REQUEST"),
        ({"method": "해외간편결제"}, 400, "INVALID_REQUEST"),
        ({"successUrl": "/relative"}, 400, "INVALID_REQUEST"),
        ({"clientKey": "test_ck_nobody"}, 401, "UNAUTHORIZED_KEY"),
    ],
    ids=[
        "bad-outcome",
        "zero-amount",
        "amount-not-number",
        "short-orderId",
        "empty-orderName",
        "long-orderName",
        "foreign-easy-pay",
        "relative-successUrl",
        "unknown-clientKey",
    ],
)
def test_authorize_refuses_what_the_window_refuses(sandbox, change, status, code):
    body = {
        "clientKey": DOCS_CLIENT_KEY,
        "method": "카드",
        "amount": 1000,
        "orderId": order_id(),
        "orderName": "x",
        **change,
    }
    assert_error(sandbox.post("/_sandbox/authorize", json=body), status, code)
    assert sandbox.get("/_sandbox/payments").json()["count"] == 0


def test_authorize_of_an_order_already_paid_is_duplicated_order_id(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    r = sandbox.post(
        "/_sandbox/authorize",
        json={"clientKey": DOCS_CLIENT_KEY, "amount": 1000, "orderId": p["orderId"], "orderName": "x"},
    )
    assert_error(r, 400, "DUPLICATED_ORDER_ID")


def test_payments_lists_every_payment_and_filters_by_order(sandbox, docs_auth):
    done = paid(sandbox, docs_auth)
    waiting = authorize(sandbox)
    listing = sandbox.get("/_sandbox/payments").json()
    assert listing["count"] == 2
    assert {p["paymentKey"]: p["status"] for p in listing["data"]} == {
        done["paymentKey"]: "DONE",
        waiting["paymentKey"]: "IN_PROGRESS",
    }
    one = sandbox.get("/_sandbox/payments", params={"orderId": done["orderId"]}).json()
    assert one["count"] == 1 and one["data"][0] == done


def test_requests_log_records_each_api_call(sandbox, docs_auth):
    auth = authorize(sandbox)
    confirm(sandbox, auth, {**docs_auth, "Idempotency-Key": "log-key-1"})
    sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth)
    log = sandbox.get("/_sandbox/requests").json()
    assert log["count"] == 2
    post, get = log["data"]
    assert (post["method"], post["path"], post["status"], post["code"]) == ("POST", "/v1/payments/confirm", 200, None)
    assert post["idempotencyKey"] == "log-key-1" and post["mId"] == "tosspayments"
    assert post["body"] == {"paymentKey": auth["paymentKey"], "orderId": auth["orderId"], "amount": auth["amount"]}
    assert post["at"].endswith("+09:00")
    assert (get["method"], get["status"]) == ("GET", 200)
    assert "Authorization" not in str(log) and docs_auth["Authorization"].split()[1] not in str(log)


def test_requests_log_filters_by_method_and_path(sandbox, docs_auth):
    auth = authorize(sandbox)
    confirm(sandbox, auth, docs_auth)
    confirm(sandbox, auth, docs_auth)
    sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth)
    posts = sandbox.get("/_sandbox/requests", params={"method": "post"}).json()
    assert posts["count"] == 2
    assert [e["code"] for e in posts["data"]] == [None, "ALREADY_PROCESSED_PAYMENT"]
    gets = sandbox.get("/_sandbox/requests", params={"path": f"/v1/payments/{auth['paymentKey']}"}).json()
    assert gets["count"] == 1


def test_clock_advances_and_reports_the_sandbox_time(sandbox):
    before = sandbox.get("/_sandbox/clock").json()
    assert before["offsetSeconds"] == 0 and before["now"].endswith("+09:00")
    after = sandbox.post("/_sandbox/clock", json={"advanceSeconds": 3600}).json()
    assert after["offsetSeconds"] == 3600
    assert after["now"] > before["now"]
    assert sandbox.post("/_sandbox/clock", json={"advanceSeconds": 60}).json()["offsetSeconds"] == 3660


@pytest.mark.parametrize("body", [{}, {"advanceSeconds": -1}, {"advanceSeconds": "soon"}, {"advanceSeconds": True}])
def test_clock_refuses_anything_but_a_forward_number(sandbox, body):
    assert_error(sandbox.post("/_sandbox/clock", json=body), 400, "INVALID_REQUEST")


def test_reset_forgets_payments_requests_faults_and_clock(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    sandbox.post("/_sandbox/faults", json={"path": "/v1/*", "errorCode": "PROVIDER_ERROR", "forever": True})
    sandbox.post("/_sandbox/clock", json={"advanceSeconds": 100})
    assert sandbox.post("/_sandbox/reset").json() == {"ok": True}
    assert sandbox.get("/_sandbox/payments").json()["count"] == 0
    assert sandbox.get("/_sandbox/requests").json()["count"] == 0
    assert sandbox.get("/_sandbox/faults").json()["count"] == 0
    assert sandbox.get("/_sandbox/clock").json()["offsetSeconds"] == 0
    assert_error(sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth), 404, "NOT_FOUND_PAYMENT")


def test_health_answers(sandbox):
    body = sandbox.get("/_sandbox/health").json()
    assert body["ok"] is True and body["service"] == "toss-sandbox" and isinstance(body["pid"], int)
