"""One orderId, several payments: Toss's orderIds are unique per merchant, so once one payment
of an order is approved no other may be, and the lookup by orderId finds the approved one.

Every test runs against both stores (``any_sandbox``); the Redis one has two workers."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import DOCS_CLIENT_KEY, SANDBOX_CLIENT_KEY
from tests.sandbox.flow import assert_error, cancel, confirm, order_id


def open_(
    sandbox: httpx.Client, order: str, outcome: str = "approve", amount: int = 15000, client_key: str = DOCS_CLIENT_KEY
) -> httpx.Response:
    return sandbox.post(
        "/_sandbox/authorize",
        json={"clientKey": client_key, "amount": amount, "orderId": order, "orderName": "텀블러", "outcome": outcome},
    )


def authorized(sandbox: httpx.Client, order: str, **kw: object) -> dict:
    r = open_(sandbox, order, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def by_order(sandbox: httpx.Client, order: str, headers: dict) -> dict:
    r = sandbox.get(f"/v1/payments/orders/{order}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_second_approval_of_an_order_is_duplicated_order_id(any_sandbox, docs_auth):
    order = order_id()
    one, two = authorized(any_sandbox, order), authorized(any_sandbox, order)  # both IN_PROGRESS
    assert confirm(any_sandbox, one, docs_auth).status_code == 200
    body = assert_error(confirm(any_sandbox, two, docs_auth), 400, "DUPLICATED_ORDER_ID")
    assert body["message"] == "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요."
    # The refused payment is left as it was; the order has one approval.
    got = any_sandbox.get(f"/v1/payments/{two['paymentKey']}", headers=docs_auth).json()
    assert got["status"] == "IN_PROGRESS"
    assert by_order(any_sandbox, order, docs_auth)["paymentKey"] == one["paymentKey"]


def test_a_cancelled_order_cannot_be_approved_again(any_sandbox, docs_auth):
    order = order_id()
    one, two = authorized(any_sandbox, order), authorized(any_sandbox, order)
    assert confirm(any_sandbox, one, docs_auth).status_code == 200
    assert cancel(any_sandbox, one["paymentKey"], docs_auth).json()["status"] == "CANCELED"
    assert_error(confirm(any_sandbox, two, docs_auth), 400, "DUPLICATED_ORDER_ID")
    assert_error(open_(any_sandbox, order), 400, "DUPLICATED_ORDER_ID")


def test_window_of_an_order_with_any_approved_payment_is_refused(any_sandbox, docs_auth):
    order = order_id()
    window = {"clientKey": DOCS_CLIENT_KEY, "method": "카드", "amount": 15000, "orderId": order, "orderName": "텀블러"}
    first = authorized(any_sandbox, order)
    page = any_sandbox.get("/_sandbox/window", params=window)  # a second window for the order, READY
    assert page.status_code == 200, page.text
    assert confirm(any_sandbox, first, docs_auth).status_code == 200
    # The buyer then refuses in the second window: the newest payment of the order stays READY
    # (never approved), an older one is DONE. The order is paid all the same.
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    any_sandbox.post(action, data={"outcome": "reject", "target": "self", "mode": "redirect"})
    assert_error(open_(any_sandbox, order), 400, "DUPLICATED_ORDER_ID")
    r = any_sandbox.get("/_sandbox/window", params=window)
    assert r.status_code == 400 and "DUPLICATED_ORDER_ID" in r.text


def test_aborted_and_expired_payments_do_not_block_a_new_attempt(any_sandbox, docs_auth):
    order = order_id()
    authorized(any_sandbox, order, outcome="reject")  # refused in the window: READY, runs out
    late = authorized(any_sandbox, order)
    any_sandbox.post("/_sandbox/clock", json={"advanceSeconds": 601}).raise_for_status()  # EXPIRED
    assert any_sandbox.get(f"/v1/payments/{late['paymentKey']}", headers=docs_auth).json()["status"] == "EXPIRED"
    retry = authorized(any_sandbox, order)
    assert confirm(any_sandbox, retry, docs_auth).status_code == 200
    assert by_order(any_sandbox, order, docs_auth)["paymentKey"] == retry["paymentKey"]


def test_lookup_by_order_prefers_the_approved_payment_over_a_newer_expired_one(any_sandbox, docs_auth):
    order = order_id()
    a = authorized(any_sandbox, order)  # window A: approved by the buyer
    b = authorized(any_sandbox, order, outcome="cancel")  # window B: opened, buyer backed out
    done = confirm(any_sandbox, a, docs_auth)
    assert done.status_code == 200
    assert by_order(any_sandbox, order, docs_auth) == done.json()
    any_sandbox.post("/_sandbox/clock", json={"advanceSeconds": 1900}).raise_for_status()  # B expires
    assert any_sandbox.get(f"/v1/payments/{b['paymentKey']}", headers=docs_auth).json()["status"] == "EXPIRED"
    got = by_order(any_sandbox, order, docs_auth)
    assert (got["paymentKey"], got["status"]) == (a["paymentKey"], "DONE")
    # And the order stays paid: no second charge.
    assert_error(open_(any_sandbox, order), 400, "DUPLICATED_ORDER_ID")


def test_lookup_by_order_without_an_approval_is_the_newest_payment(any_sandbox, docs_auth):
    order = order_id()
    authorized(any_sandbox, order, outcome="reject")
    newest = authorized(any_sandbox, order)
    got = by_order(any_sandbox, order, docs_auth)
    assert (got["paymentKey"], got["status"]) == (newest["paymentKey"], "IN_PROGRESS")


def test_lookup_by_order_finds_a_cancelled_approval(any_sandbox, docs_auth):
    order = order_id()
    paid_one = authorized(any_sandbox, order)
    authorized(any_sandbox, order, outcome="reject")
    confirm(any_sandbox, paid_one, docs_auth)
    cancel(any_sandbox, paid_one["paymentKey"], docs_auth, amount=5000)
    got = by_order(any_sandbox, order, docs_auth)
    assert (got["paymentKey"], got["status"]) == (paid_one["paymentKey"], "PARTIAL_CANCELED")


def test_one_order_id_at_two_merchants_is_two_orders(any_sandbox, docs_auth, sandbox_auth):
    order = order_id()
    docs = authorized(any_sandbox, order)
    sbx = authorized(any_sandbox, order, client_key=SANDBOX_CLIENT_KEY)
    assert confirm(any_sandbox, docs, docs_auth).status_code == 200
    assert confirm(any_sandbox, sbx, sandbox_auth).status_code == 200
    assert by_order(any_sandbox, order, docs_auth)["paymentKey"] == docs["paymentKey"]
    assert by_order(any_sandbox, order, sandbox_auth)["paymentKey"] == sbx["paymentKey"]


def test_concurrent_confirms_of_sibling_payments_approve_exactly_one(any_sandbox, docs_auth):
    order, n = order_id(), 16
    siblings = [authorized(any_sandbox, order) for _ in range(n)]
    url = str(any_sandbox.base_url)

    def one(auth: dict) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=30) as c:  # a connection each: any worker may take it
            return confirm(c, auth, docs_auth)

    for _ in range(6):  # several rounds: a lost race shows up as a second 200
        with ThreadPoolExecutor(n) as pool:
            results = list(pool.map(one, siblings))
        outcomes = Counter((r.status_code, r.json().get("code")) for r in results)
        assert outcomes == {(200, None): 1, (400, "DUPLICATED_ORDER_ID"): n - 1}, outcomes
        winner = next(r.json() for r in results if r.status_code == 200)
        assert by_order(any_sandbox, order, docs_auth)["paymentKey"] == winner["paymentKey"]
        statuses = Counter(
            p["status"] for p in any_sandbox.get("/_sandbox/payments", params={"orderId": order}).json()["data"]
        )
        assert statuses == {"DONE": 1, "IN_PROGRESS": n - 1}
        any_sandbox.post("/_sandbox/reset").raise_for_status()
        order = order_id()
        siblings = [authorized(any_sandbox, order) for _ in range(n)]
