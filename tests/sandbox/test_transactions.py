"""GET /v1/transactions (거래 조회): one row per approval and per (partial) cancel, a KST date
window, startingAfter/limit paging, merchants that do not see each other's rows.

Tests that write rows run against both stores (``any_sandbox``: the memory server, then two
Redis-backed workers)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import SANDBOX_CLIENT_KEY, basic
from tests.sandbox.flow import HANGUL, assert_error, authorize, cancel, confirm, paid

FIELDS = {
    "mId",
    "transactionKey",
    "paymentKey",
    "orderId",
    "method",
    "customerKey",
    "useEscrow",
    "receiptUrl",
    "status",
    "transactionAt",
    "currency",
    "amount",
}
EVERYTHING = {"startDate": "2000-01-01", "endDate": "2999-12-31T23:59:59"}


def transactions(client, headers: dict, **params: object):
    return client.get("/v1/transactions", headers=headers, params={**EVERYTHING, **params})


def rows(client, headers: dict, **params: object) -> list[dict]:
    r = transactions(client, headers, **params)
    assert r.status_code == 200, r.text
    return r.json()


def local(at: str) -> str:
    """A transactionAt (``…+09:00``) as the query takes it: KST, no offset."""
    assert at.endswith("+09:00"), at
    return at[:19]


def shifted(at: str, seconds: int) -> str:
    return (datetime.fromisoformat(local(at)) + timedelta(seconds=seconds)).isoformat()


def advance(client, seconds: float) -> None:
    client.post("/_sandbox/clock", json={"advanceSeconds": seconds}).raise_for_status()


def test_approval_partial_cancel_and_full_cancel_are_three_transactions(any_sandbox, docs_auth):
    p = paid(any_sandbox, docs_auth, amount=15000)
    partial = cancel(any_sandbox, p["paymentKey"], docs_auth, amount=5000).json()
    full = cancel(any_sandbox, p["paymentKey"], docs_auth).json()
    approval_row, partial_row, full_row = rows(any_sandbox, docs_auth)
    for row in (approval_row, partial_row, full_row):
        assert set(row) == FIELDS, row  # exactly Toss's Transaction object
        assert (row["mId"], row["paymentKey"], row["orderId"]) == ("tosspayments", p["paymentKey"], p["orderId"])
        assert (row["method"], row["currency"], row["useEscrow"], row["customerKey"]) == ("카드", "KRW", False, None)
        assert row["receiptUrl"] == p["receipt"]["url"]
    # The approval keeps its own key, although the payment's lastTransactionKey moved on.
    assert approval_row["transactionKey"] == p["lastTransactionKey"] != full["lastTransactionKey"]
    assert (approval_row["status"], approval_row["amount"], approval_row["transactionAt"]) == (
        "DONE",
        15000,
        p["approvedAt"],
    )
    first, second = full["cancels"]
    assert partial_row["transactionKey"] == first["transactionKey"] == partial["lastTransactionKey"]
    assert (partial_row["status"], partial_row["amount"], partial_row["transactionAt"]) == (
        "PARTIAL_CANCELED",
        5000,
        first["canceledAt"],
    )
    assert full_row["transactionKey"] == second["transactionKey"] == full["lastTransactionKey"]
    assert (full_row["status"], full_row["amount"], full_row["transactionAt"]) == (
        "CANCELED",
        10000,
        second["canceledAt"],
    )


def test_transactions_of_several_payments_are_oldest_first(any_sandbox, docs_auth):
    a = paid(any_sandbox, docs_auth, amount=1000)
    b = paid(any_sandbox, docs_auth, amount=2000)
    cancel(any_sandbox, a["paymentKey"], docs_auth, amount=300)
    got = [(r["paymentKey"], r["status"], r["amount"]) for r in rows(any_sandbox, docs_auth)]
    assert got == [
        (a["paymentKey"], "DONE", 1000),
        (b["paymentKey"], "DONE", 2000),
        (a["paymentKey"], "PARTIAL_CANCELED", 300),
    ]


def test_payments_that_were_never_approved_and_refused_calls_leave_no_transaction(any_sandbox, docs_auth):
    authorize(any_sandbox, outcome="reject")  # refused in the window: no transaction
    authorize(any_sandbox, outcome="cancel")  # READY
    authorize(any_sandbox)  # IN_PROGRESS, never confirmed
    p = paid(any_sandbox, docs_auth, amount=15000)
    assert confirm(any_sandbox, {**p, "amount": 15000}, docs_auth).status_code == 400  # ALREADY_PROCESSED
    assert cancel(any_sandbox, p["paymentKey"], docs_auth, amount=99999).status_code == 403  # over the balance
    assert [r["status"] for r in rows(any_sandbox, docs_auth)] == ["DONE"]


def test_a_replayed_cancel_is_one_transaction(any_sandbox, docs_auth):
    p = paid(any_sandbox, docs_auth)
    headers = {**docs_auth, "Idempotency-Key": "cancel-once"}
    first = cancel(any_sandbox, p["paymentKey"], headers, amount=1000)
    again = cancel(any_sandbox, p["paymentKey"], headers, amount=1000)
    assert first.json() == again.json() and again.headers.get("X-Sandbox-Idempotent-Replay") == "true"
    assert [(r["status"], r["amount"]) for r in rows(any_sandbox, docs_auth)] == [
        ("DONE", 15000),
        ("PARTIAL_CANCELED", 1000),
    ]


def test_the_window_is_on_transaction_at_in_kst(any_sandbox, docs_auth):
    a = paid(any_sandbox, docs_auth, amount=1000)
    advance(any_sandbox, 2 * 86400)
    b = paid(any_sandbox, docs_auth, amount=2000)
    advance(any_sandbox, 2 * 86400)
    cancel(any_sandbox, a["paymentKey"], docs_auth)
    everything = rows(any_sandbox, docs_auth)
    at_a, at_b, at_cancel = (r["transactionAt"] for r in everything)
    day_b = local(at_b)[:10]

    def keys(**params: object) -> list[tuple[str, str]]:
        return [(r["paymentKey"], r["status"]) for r in rows(any_sandbox, docs_auth, **params)]

    # B's whole KST day holds only B's approval; A's day and the cancel's day are two days away.
    assert keys(startDate=f"{day_b}T00:00:00", endDate=f"{day_b}T23:59:59") == [(b["paymentKey"], "DONE")]
    assert keys(startDate=day_b, endDate=f"{day_b}T23:59:59.999") == [(b["paymentKey"], "DONE")]
    # Both ends count to the second.
    assert keys(startDate=local(at_b), endDate=local(at_b)) == [(b["paymentKey"], "DONE")]
    assert keys(startDate=shifted(at_b, 1), endDate=local(at_cancel)) == [(a["paymentKey"], "CANCELED")]
    assert keys(startDate=local(at_a), endDate=shifted(at_b, -1)) == [(a["paymentKey"], "DONE")]
    # A date alone is that day at 00:00:00.
    assert keys(startDate=local(at_a)[:10], endDate=day_b) == [(a["paymentKey"], "DONE")]
    assert keys(startDate="2000-01-01", endDate="2000-01-02") == []


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_starting_after_and_limit_page_through_everything(any_sandbox, docs_auth, limit):
    for amount in (1000, 2000, 3000):
        p = paid(any_sandbox, docs_auth, amount=amount)
        cancel(any_sandbox, p["paymentKey"], docs_auth, amount=100)
    everything = rows(any_sandbox, docs_auth)
    assert len(everything) == 6
    pages, after = [], None
    while True:
        page = rows(any_sandbox, docs_auth, limit=limit, **({"startingAfter": after} if after else {}))
        assert len(page) <= limit
        if not page:
            break
        pages.append(page)
        after = page[-1]["transactionKey"]
    assert [r for page in pages for r in page] == everything
    assert len(pages) == -(-6 // limit)


def test_starting_after_keeps_the_window(any_sandbox, docs_auth):
    a = paid(any_sandbox, docs_auth, amount=1000)
    advance(any_sandbox, 2 * 86400)
    b = paid(any_sandbox, docs_auth, amount=2000)
    c = paid(any_sandbox, docs_auth, amount=3000)
    first, second, third = rows(any_sandbox, docs_auth)
    window = {"startDate": local(second["transactionAt"]), "endDate": local(third["transactionAt"])}
    # A cursor before the window: the window still starts where it starts.
    got = rows(any_sandbox, docs_auth, startingAfter=first["transactionKey"], **window)
    assert [r["paymentKey"] for r in got] == [b["paymentKey"], c["paymentKey"]]
    got = rows(any_sandbox, docs_auth, startingAfter=second["transactionKey"], **window)
    assert [r["paymentKey"] for r in got] == [c["paymentKey"]]
    assert rows(any_sandbox, docs_auth, startingAfter=third["transactionKey"], **window) == []
    assert a["paymentKey"] == first["paymentKey"]


def test_limit_defaults_to_100(sandbox, docs_auth):
    for _ in range(51):
        p = paid(sandbox, docs_auth, amount=1000)
        cancel(sandbox, p["paymentKey"], docs_auth, amount=100)
    page = rows(sandbox, docs_auth)
    assert len(page) == 100
    rest = rows(sandbox, docs_auth, startingAfter=page[-1]["transactionKey"])
    assert len(rest) == 2 and rows(sandbox, docs_auth, limit=5000)[-2:] == rest


@pytest.mark.parametrize("limit", ["0", "5001", "10000", "-1", "abc", "1.5", ""])
def test_limit_out_of_range_is_invalid_request(sandbox, docs_auth, limit):
    assert_error(transactions(sandbox, docs_auth, limit=limit), 400, "INVALID_REQUEST")


def test_limit_5000_is_the_maximum(sandbox, docs_auth):
    paid(sandbox, docs_auth)
    assert len(rows(sandbox, docs_auth, limit=5000)) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"startDate": None},
        {"endDate": None},
        {"startDate": ""},
        {"startDate": "2024/01/01"},
        {"startDate": "20240101"},
        {"startDate": "2024-01-01T00:00"},
        {"startDate": "2024-01-01T00:00:00+09:00"},
        {"endDate": "2024-01-01T00:00:00Z"},
        {"startDate": "2024-02-30"},
        {"endDate": "2024-01-01T24:00:00"},
        {"startDate": "2024-01-02T00:00:00", "endDate": "2024-01-01T23:59:59"},
    ],
    ids=[
        "no-start",
        "no-end",
        "empty-start",
        "slashes",
        "compact",
        "no-seconds",
        "offset",
        "utc-z",
        "no-such-day",
        "hour-24",
        "start-after-end",
    ],
)
def test_missing_or_bad_dates_are_invalid_request(sandbox, docs_auth, params):
    query = {k: v for k, v in {**EVERYTHING, **params}.items() if v is not None}
    r = sandbox.get("/v1/transactions", headers=docs_auth, params=query)
    assert_error(r, 400, "INVALID_REQUEST")
    en = sandbox.get("/v1/transactions", headers={**docs_auth, "Accept-Language": "en-US"}, params=query)
    body = assert_error(en, 400, "INVALID_REQUEST")
    assert not HANGUL.search(body["message"]) and "Date" in body["message"], body


def test_unknown_starting_after_is_invalid_transaction_key(sandbox, docs_auth):
    paid(sandbox, docs_auth)
    body = assert_error(
        transactions(sandbox, docs_auth, startingAfter="B7103F204998813B889C77C043D09502"),
        400,
        "INVALID_TRANSACTION_KEY",
    )
    assert body["message"] == "잘못된 페이징 키 입니다."
    en = transactions(sandbox, {**docs_auth, "Accept-Language": "en-US"}, startingAfter="nope")
    assert not HANGUL.search(assert_error(en, 400, "INVALID_TRANSACTION_KEY")["message"])


def test_another_merchant_sees_none_of_them(any_sandbox, docs_auth, sandbox_auth):
    p = paid(any_sandbox, docs_auth)
    cancel(any_sandbox, p["paymentKey"], docs_auth, amount=100)
    assert rows(any_sandbox, sandbox_auth) == []
    # Nor can it page from one of them.
    mine = rows(any_sandbox, docs_auth)
    r = transactions(any_sandbox, sandbox_auth, startingAfter=mine[0]["transactionKey"])
    assert_error(r, 400, "INVALID_TRANSACTION_KEY")
    own = paid(any_sandbox, sandbox_auth, client_key=SANDBOX_CLIENT_KEY)
    [row] = rows(any_sandbox, sandbox_auth)
    assert (row["mId"], row["paymentKey"]) == ("tpayappsbx", own["paymentKey"])
    assert [r["paymentKey"] for r in rows(any_sandbox, docs_auth)] == [p["paymentKey"]] * 2


def test_missing_authorization_is_unauthorized_key(sandbox):
    assert_error(sandbox.get("/v1/transactions", params=EVERYTHING), 401, "UNAUTHORIZED_KEY")
    assert_error(transactions(sandbox, basic("test_sk_notAKeyTheSandboxKnows000")), 401, "UNAUTHORIZED_KEY")
    assert_error(transactions(sandbox, {"Authorization": "Bearer x"}), 403, "INCORRECT_BASIC_AUTH_FORMAT")


def test_auth_comes_before_the_query_is_checked(sandbox):
    r = sandbox.get("/v1/transactions", params={"limit": "0"})
    assert_error(r, 401, "UNAUTHORIZED_KEY")


def test_it_is_logged_and_takes_faults_and_test_codes(sandbox, docs_auth):
    sandbox.post(
        "/_sandbox/faults", json={"path": "/v1/transactions", "errorCode": "FAILED_INTERNAL_SYSTEM_PROCESSING"}
    )
    assert_error(transactions(sandbox, docs_auth), 500, "FAILED_INTERNAL_SYSTEM_PROCESSING")
    assert transactions(sandbox, docs_auth).status_code == 200
    r = transactions(sandbox, {**docs_auth, "TossPayments-Test-Code": "FORBIDDEN_CONSECUTIVE_REQUEST"})
    assert_error(r, 403, "FORBIDDEN_CONSECUTIVE_REQUEST")
    log = sandbox.get("/_sandbox/requests", params={"path": "/v1/transactions"}).json()["data"]
    assert [(e["method"], e["status"], e["mId"]) for e in log] == [
        ("GET", 500, None),
        ("GET", 200, "tosspayments"),
        ("GET", 403, "tosspayments"),
    ]
