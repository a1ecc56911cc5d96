"""POST /v1/payments/{paymentKey}/cancel: full, partial and repeated cancels, and refusals."""

from __future__ import annotations

import pytest

from tests.sandbox.flow import assert_error, authorize, cancel, paid


def vat_of(amount: int) -> int:
    return (2 * amount + 11) // 22  # amount / 11, half up


def assert_amounts_consistent(p: dict) -> None:
    assert p["suppliedAmount"] + p["vat"] == p["balanceAmount"]
    assert p["vat"] == vat_of(p["balanceAmount"])
    assert p["totalAmount"] - sum(c["cancelAmount"] for c in p["cancels"] or []) == p["balanceAmount"]


def test_full_cancel_makes_the_payment_canceled(sandbox, docs_auth):
    p = paid(sandbox, docs_auth, amount=15000)
    r = cancel(sandbox, p["paymentKey"], docs_auth, reason="단순 변심")
    assert r.status_code == 200, r.text
    c = r.json()
    assert (c["status"], c["balanceAmount"], c["totalAmount"]) == ("CANCELED", 0, 15000)
    assert (c["suppliedAmount"], c["vat"]) == (0, 0)
    [entry] = c["cancels"]
    assert (entry["cancelAmount"], entry["cancelReason"], entry["refundableAmount"]) == (15000, "단순 변심", 0)
    assert entry["cancelStatus"] == "DONE"
    assert c["lastTransactionKey"] == entry["transactionKey"] != p["lastTransactionKey"]
    assert c["card"]["acquireStatus"] == "CANCELED"


def test_cancel_entry_has_the_documented_fields(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    [entry] = cancel(sandbox, p["paymentKey"], docs_auth).json()["cancels"]
    assert {
        "cancelAmount",
        "cancelReason",
        "taxFreeAmount",
        "taxExemptionAmount",
        "refundableAmount",
        "cardDiscountAmount",
        "transferDiscountAmount",
        "easyPayDiscountAmount",
        "canceledAt",
        "transactionKey",
        "receiptKey",
        "cancelStatus",
        "cancelRequestId",
    } <= entry.keys()
    assert entry["canceledAt"].endswith("+09:00")


def test_partial_cancel_leaves_a_partial_canceled_balance(sandbox, docs_auth):
    p = paid(sandbox, docs_auth, amount=15000)
    c = cancel(sandbox, p["paymentKey"], docs_auth, amount=5000).json()
    assert (c["status"], c["balanceAmount"]) == ("PARTIAL_CANCELED", 10000)
    assert (c["suppliedAmount"], c["vat"]) == (9091, 909)
    assert c["cancels"][0]["refundableAmount"] == 10000
    assert_amounts_consistent(c)


def test_partial_cancels_repeat_and_the_rest_cancels_the_payment(sandbox, docs_auth):
    p = paid(sandbox, docs_auth, amount=15000)
    for amount, balance in [(1000, 14000), (2500, 11500), (7, 11493)]:
        c = cancel(sandbox, p["paymentKey"], docs_auth, amount=amount).json()
        assert (c["status"], c["balanceAmount"]) == ("PARTIAL_CANCELED", balance)
        assert_amounts_consistent(c)
    last = cancel(sandbox, p["paymentKey"], docs_auth).json()  # no cancelAmount: the rest
    assert (last["status"], last["balanceAmount"]) == ("CANCELED", 0)
    assert [x["cancelAmount"] for x in last["cancels"]] == [1000, 2500, 7, 11493]
    assert len({x["transactionKey"] for x in last["cancels"]}) == 4
    assert_amounts_consistent(last)
    got = sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()
    assert got == last


def test_partial_cancel_of_exactly_the_balance_cancels_the_payment(sandbox, docs_auth):
    p = paid(sandbox, docs_auth, amount=15000)
    cancel(sandbox, p["paymentKey"], docs_auth, amount=5000)
    c = cancel(sandbox, p["paymentKey"], docs_auth, amount=10000).json()
    assert (c["status"], c["balanceAmount"]) == ("CANCELED", 0)


def test_cancel_over_the_balance_is_not_cancelable_amount(sandbox, docs_auth):
    p = paid(sandbox, docs_auth, amount=15000)
    cancel(sandbox, p["paymentKey"], docs_auth, amount=10000)
    assert_error(cancel(sandbox, p["paymentKey"], docs_auth, amount=5001), 403, "NOT_CANCELABLE_AMOUNT")
    got = sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()
    assert (got["status"], got["balanceAmount"], len(got["cancels"])) == ("PARTIAL_CANCELED", 5000, 1)


def test_cancel_of_a_canceled_payment_is_already_canceled(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    assert cancel(sandbox, p["paymentKey"], docs_auth).status_code == 200
    assert_error(cancel(sandbox, p["paymentKey"], docs_auth), 400, "ALREADY_CANCELED_PAYMENT")
    assert_error(cancel(sandbox, p["paymentKey"], docs_auth, amount=1), 400, "ALREADY_CANCELED_PAYMENT")


def test_cancel_of_an_unconfirmed_payment_is_not_cancelable_payment(sandbox, docs_auth):
    auth = authorize(sandbox)
    assert_error(cancel(sandbox, auth["paymentKey"], docs_auth), 403, "NOT_CANCELABLE_PAYMENT")


def test_cancel_of_unknown_payment_is_not_found_payment(sandbox, docs_auth):
    assert_error(cancel(sandbox, "tossp20240101000000nothere", docs_auth), 404, "NOT_FOUND_PAYMENT")


def test_refundable_amount_that_differs_from_the_balance_is_refused(sandbox, docs_auth):
    p = paid(sandbox, docs_auth, amount=15000)
    r = cancel(sandbox, p["paymentKey"], docs_auth, amount=1000, refundableAmount=14000)
    assert_error(r, 400, "NOT_MATCHES_REFUNDABLE_AMOUNT")
    ok = cancel(sandbox, p["paymentKey"], docs_auth, amount=1000, refundableAmount=15000)
    assert ok.status_code == 200 and ok.json()["balanceAmount"] == 14000


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"cancelReason": ""},
        {"cancelReason": "x" * 201},
        {"cancelReason": "고객 요청", "cancelAmount": 0},
        {"cancelReason": "고객 요청", "cancelAmount": -100},
        {"cancelReason": "고객 요청", "cancelAmount": "many"},
        {"cancelReason": "고객 요청", "currency": "USD"},
    ],
    ids=[
        "no-reason",
        "empty-reason",
        "reason-too-long",
        "zero-amount",
        "negative-amount",
        "amount-not-number",
        "other-currency",
    ],
)
def test_missing_or_invalid_cancel_field_is_invalid_request(sandbox, docs_auth, body):
    p = paid(sandbox, docs_auth)
    r = sandbox.post(f"/v1/payments/{p['paymentKey']}/cancel", headers=docs_auth, json=body)
    assert_error(r, 400, "INVALID_REQUEST")
    assert sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth).json()["status"] == "DONE"


def test_cancel_amount_as_numeric_string_is_accepted(sandbox, docs_auth):
    p = paid(sandbox, docs_auth, amount=15000)
    r = cancel(sandbox, p["paymentKey"], docs_auth, amount="5000")
    assert r.status_code == 200 and r.json()["balanceAmount"] == 10000
