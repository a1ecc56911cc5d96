"""The Payment object: the documented card-payment field set, so that clients written
against Toss's docs read the sandbox unchanged."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

from tests.conftest import DOCS_SECRET_KEY
from tests.sandbox.flow import authorize, confirm, paid

# Every top-level field of the documented DONE card payment (reference §3.4).
DOCUMENTED_FIELDS = {
    "mId",
    "version",
    "paymentKey",
    "lastTransactionKey",
    "orderId",
    "orderName",
    "type",
    "status",
    "method",
    "currency",
    "country",
    "requestedAt",
    "approvedAt",
    "useEscrow",
    "cultureExpense",
    "totalAmount",
    "balanceAmount",
    "suppliedAmount",
    "vat",
    "taxFreeAmount",
    "taxExemptionAmount",
    "isPartialCancelable",
    "card",
    "virtualAccount",
    "transfer",
    "mobilePhone",
    "giftCertificate",
    "cashReceipt",
    "cashReceipts",
    "discount",
    "cancels",
    "secret",
    "easyPay",
    "failure",
    "metadata",
    "receipt",
    "checkout",
}
CARD_FIELDS = {
    "issuerCode",
    "acquirerCode",
    "number",
    "installmentPlanMonths",
    "isInterestFree",
    "interestPayer",
    "approveNo",
    "useCardPoint",
    "cardType",
    "ownerType",
    "acquireStatus",
    "amount",
}
ISSUER_CODES = {
    "3K",
    "46",
    "71",
    "30",
    "31",
    "51",
    "38",
    "41",
    "62",
    "36",
    "33",
    "W1",
    "37",
    "39",
    "35",
    "42",
    "15",
    "3A",
    "24",
    "21",
    "61",
    "11",
    "91",
    "34",
}
KST_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$")


def test_done_card_payment_has_every_documented_field(sandbox, docs_auth):
    payment = paid(sandbox, docs_auth)
    assert DOCUMENTED_FIELDS <= payment.keys()
    assert CARD_FIELDS <= payment["card"].keys()


def test_done_card_payment_values_follow_the_2022_11_16_version(sandbox, docs_auth):
    auth = authorize(sandbox, amount=15000)
    p = confirm(sandbox, auth, docs_auth).json()
    assert p["version"] == "2022-11-16"
    assert (p["type"], p["status"], p["method"], p["currency"], p["country"]) == ("NORMAL", "DONE", "카드", "KRW", "KR")
    assert p["mId"] == "tosspayments"
    assert (p["paymentKey"], p["orderId"], p["orderName"]) == (auth["paymentKey"], auth["orderId"], "텀블러 외 2건")
    assert (p["totalAmount"], p["balanceAmount"]) == (15000, 15000)
    assert p["isPartialCancelable"] is True
    assert p["useEscrow"] is False and p["cultureExpense"] is False
    assert p["cancels"] is None and p["failure"] is None and p["secret"] is None
    assert p["virtualAccount"] is None and p["easyPay"] is None


def test_card_is_masked_and_carries_test_mode_approval(sandbox, docs_auth):
    card = paid(sandbox, docs_auth, amount=15000)["card"]
    assert re.fullmatch(r"\d{8}\*{4}\d{3}\*", card["number"]), card["number"]
    assert card["issuerCode"] in ISSUER_CODES and card["acquirerCode"] in ISSUER_CODES
    assert card["approveNo"] == "00000000"  # what test keys get
    assert card["cardType"] in {"신용", "체크", "기프트", "미확인"}
    assert card["ownerType"] in {"개인", "법인", "미확인"}
    assert card["acquireStatus"] == "READY"
    assert card["installmentPlanMonths"] == 0
    assert card["amount"] == 15000


def test_timestamps_are_seconds_with_the_korean_offset(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    assert KST_TIME.match(p["requestedAt"]) and KST_TIME.match(p["approvedAt"])
    assert p["requestedAt"] <= p["approvedAt"]


def test_receipt_and_checkout_urls_name_the_payment(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    assert p["receipt"]["url"].startswith("https://") and p["paymentKey"] in p["receipt"]["url"]
    assert p["checkout"]["url"].endswith(f"/v1/payments/{p['paymentKey']}/checkout")


def test_last_transaction_key_is_32_upper_hex(sandbox, docs_auth):
    assert re.fullmatch(r"[0-9A-F]{32}", paid(sandbox, docs_auth)["lastTransactionKey"])


def test_vat_is_one_eleventh_rounded_half_up(sandbox, docs_auth):
    for amount, supplied, vat in [(1000, 909, 91), (15000, 13636, 1364), (50000, 45455, 4545)]:
        p = paid(sandbox, docs_auth, amount=amount)
        assert (p["suppliedAmount"], p["vat"]) == (supplied, vat), amount


def test_lookup_by_key_and_by_order_give_the_confirmed_object(sandbox, docs_auth):
    p = paid(sandbox, docs_auth)
    by_key = sandbox.get(f"/v1/payments/{p['paymentKey']}", headers=docs_auth)
    by_order = sandbox.get(f"/v1/payments/orders/{p['orderId']}", headers=docs_auth)
    assert by_key.status_code == by_order.status_code == 200
    assert by_key.json() == by_order.json() == p
    assert by_key.headers["content-type"].startswith("application/json")


def test_authenticated_payment_reads_in_progress_before_confirm(sandbox, docs_auth):
    auth = authorize(sandbox)
    p = sandbox.get(f"/v1/payments/{auth['paymentKey']}", headers=docs_auth).json()
    assert p["status"] == "IN_PROGRESS"
    assert p["approvedAt"] is None and p["card"] is None and p["lastTransactionKey"] is None


def test_easy_pay_is_method_easy_pay_with_provider(sandbox, docs_auth):
    auth = authorize(sandbox, amount=3000, method="TOSSPAY")
    p = confirm(sandbox, auth, docs_auth).json()
    assert p["method"] == "간편결제"
    assert p["easyPay"] == {"provider": "토스페이", "amount": 3000, "discountAmount": 0}
    assert p["card"] is None


def test_client_written_like_the_official_sample_works_unchanged(sandbox):
    """The official Django sample: Basic from base64(secret + ':'), the query string's
    paymentKey/orderId/amount forwarded as they came (amount stays a string)."""
    auth = authorize(sandbox, amount=50000)
    query = {k: v[0] for k, v in parse_qs(urlsplit(auth["redirectUrl"]).query).items()}
    assert query["amount"] == "50000"
    headers = {
        "Authorization": "Basic " + base64.b64encode(f"{DOCS_SECRET_KEY}:".encode()).decode(),
        "Content-Type": "application/json",
    }
    body = {"orderId": query["orderId"], "amount": query["amount"], "paymentKey": query["paymentKey"]}
    r = sandbox.post("/v1/payments/confirm", headers=headers, json=body)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["totalAmount"]) == ("DONE", 50000)


def test_expired_payment_has_no_method(any_sandbox, docs_auth):
    # As in the real EXPIRED payment the contract reference quotes: method null, approvedAt
    # null, failure EXPIRED_PAYMENT. Both ways of expiring: the 10-minute session and the
    # 30-minute window.
    authenticated, left_open = authorize(any_sandbox), authorize(any_sandbox, outcome="cancel")
    any_sandbox.post("/_sandbox/clock", json={"advanceSeconds": 1801}).raise_for_status()
    for auth in (authenticated, left_open):
        p = any_sandbox.get(f"/v1/payments/orders/{auth['orderId']}", headers=docs_auth).json()
        assert (p["paymentKey"], p["status"]) == (auth["paymentKey"], "EXPIRED")
        assert (p["method"], p["approvedAt"], p["card"]) == (None, None, None)
        assert p["failure"]["code"] == "EXPIRED_PAYMENT"
