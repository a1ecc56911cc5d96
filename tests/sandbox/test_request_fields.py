"""Step 7.6: v2 calls get v2 error codes; every documented request field reaches the Payment."""

from __future__ import annotations

import pytest

from tests.conftest import DOCS_CLIENT_KEY
from tests.sandbox.flow import assert_error, authorize, cancel, confirm
from tests.sandbox.merchant import SHOW, landed, payment_window, reroute_toss, settled

V2_PAGE = (
    """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>v2</title>
<script src="https://js.tosspayments.com/v2/standard"></script></head>
<body><button id="pay">결제하기</button>"""
    + SHOW
    + """<script>
const payment = TossPayments(__CLIENT_KEY__).payment({ customerKey: "cust-fields-01" });
const req = __REQ__;
req.successUrl = req.successUrl ?? window.location.origin + "/success";
req.failUrl = req.failUrl ?? window.location.origin + "/fail";
document.getElementById("pay").addEventListener("click", () => attempt(() => payment.requestPayment(req)));
</script></body></html>"""
)

BASE = {
    "method": "CARD",
    "amount": {"currency": "KRW", "value": 50000},
    "orderId": "order-fields-0001",
    "orderName": "토스 티셔츠 외 2건",
    "customerName": "김토스",
    "customerEmail": "customer123@gmail.com",
}


def pay(page, merchant, sandbox_url, name: str, **changes) -> None:
    reroute_toss(page, sandbox_url)
    req = {k: v for k, v in {**BASE, **changes}.items() if v is not None}
    page.goto(merchant.page(f"/fields-{name}", V2_PAGE, CLIENT_KEY=DOCS_CLIENT_KEY, REQ=req))
    page.get_by_role("button", name="결제하기").click()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"orderId": "abc"}, "INVALID_PARAMETERS"),
        ({"orderName": "가" * 101}, "INVALID_PARAMETERS"),
        ({"customerMobilePhone": "010-1234-5678"}, "INVALID_PARAMETERS"),
        ({"windowTarget": "popup"}, "INVALID_PARAMETERS"),
        ({"method": "BITCOIN"}, "INVALID_PARAMETERS"),
        ({"method": "FOREIGN_EASY_PAY"}, "NOT_SUPPORTED_METHOD"),
        ({"successUrl": "/relative"}, "INCORRECT_SUCCESS_URL_FORMAT"),
        ({"failUrl": "ftp://x.example/fail"}, "INCORRECT_FAIL_URL_FORMAT"),
        ({"metadata": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}}, "INVALID_METADATA"),
        ({"metadata": {"[bad]": "x"}}, "INVALID_METADATA"),
        ({"amount": {"currency": "KRW", "value": 15000.5}}, "INVALID_AMOUNT_VALUE"),
        ({"amount": {"currency": "KRW", "value": -1}}, "BELOW_ZERO_AMOUNT"),
    ],
    ids=[
        "orderId",
        "orderName",
        "phone",
        "windowTarget",
        "unknown-method",
        "foreign-easy-pay",
        "successUrl",
        "failUrl",
        "metadata-6-pairs",
        "metadata-key",
        "amount-fraction",
        "amount-negative",
    ],
)
def test_v2_calls_get_v2_error_codes(sandbox, sandbox_url, merchant, page, changes, code):
    pay(page, merchant, sandbox_url, code.lower(), **changes)
    kind, error = settled(page)
    assert (kind, error["code"]) == ("rejected", code)
    assert sandbox.get("/_sandbox/payments").json()["count"] == 0


def test_v2_card_fields_reach_the_payment(sandbox, sandbox_url, docs_auth, merchant, page):
    pay(
        page,
        merchant,
        sandbox_url,
        "card",
        metadata={"cartId": "cart-1", "coupon": 5000},
        customerMobilePhone="01012341234",
        taxFreeAmount=5000,
        card={
            "useEscrow": False,
            "flowMode": "DEFAULT",
            "cardCompany": "SHINHAN",
            "cardInstallmentPlan": 3,
            "useCardPoint": True,
            "useAppCardOnly": False,
        },
    )
    payment_window(page).get_by_role("button", name="승인").click()
    query = landed(page, f"{merchant.url}/success")
    p = confirm(
        sandbox, {"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": 50000}, docs_auth
    ).json()
    assert p["metadata"] == {"cartId": "cart-1", "coupon": "5000"}
    assert (p["taxFreeAmount"], p["vat"], p["suppliedAmount"]) == (5000, 4091, 40909)
    assert (p["card"]["issuerCode"], p["card"]["installmentPlanMonths"], p["card"]["useCardPoint"]) == ("41", 3, True)


def test_v2_mobile_phone_and_transfer_fields_reach_the_payment(sandbox, docs_auth):
    phone = authorize(sandbox, method="MOBILE_PHONE", customerMobilePhone="01098765432")
    assert confirm(sandbox, phone, docs_auth).json()["mobilePhone"]["customerMobilePhone"] == "01098765432"
    transfer = authorize(
        sandbox,
        method="TRANSFER",
        transfer={"cashReceipt": {"type": "소득공제"}, "useEscrow": True, "isCulturalExpenses": True},
    )
    p = confirm(sandbox, transfer, docs_auth).json()
    assert (p["useEscrow"], p["cultureExpense"], p["cashReceipt"]["type"]) == (True, True, "소득공제")


def test_v1_flat_fields_reach_the_payment(sandbox, docs_auth):
    auth = authorize(
        sandbox,
        method="카드",
        metadata={"k": "v"},
        taxFreeAmount=1000,
        cardInstallmentPlan=0,
        useCardPoint=True,
        easyPay="TOSSPAY",
    )
    p = confirm(sandbox, auth, docs_auth).json()
    assert (p["metadata"], p["taxFreeAmount"], p["card"]["useCardPoint"]) == ({"k": "v"}, 1000, True)
    assert p["easyPay"]["provider"] == "토스페이"


def test_tax_free_and_tax_exempt_amounts_on_cancel(sandbox, docs_auth):
    auth = authorize(sandbox, 20000, taxFreeAmount=2000)
    p = confirm(sandbox, auth, docs_auth).json()
    assert (p["vat"], p["suppliedAmount"], p["taxFreeAmount"]) == (1636, 16364, 2000)
    part = cancel(sandbox, p["paymentKey"], docs_auth, amount=5000, taxFreeAmount=1000).json()
    assert (part["balanceAmount"], part["taxFreeAmount"], part["cancels"][0]["taxFreeAmount"]) == (15000, 1000, 1000)
    assert part["suppliedAmount"] + part["vat"] + part["taxFreeAmount"] == 15000
    rest = cancel(sandbox, p["paymentKey"], docs_auth).json()
    assert (rest["balanceAmount"], rest["taxFreeAmount"], rest["vat"], rest["suppliedAmount"]) == (0, 0, 0, 0)
    exempt = confirm(sandbox, authorize(sandbox, 10000, card={"taxExemptionAmount": 500}), docs_auth).json()
    assert (exempt["taxExemptionAmount"], exempt["isPartialCancelable"]) == (500, False)
    assert_error(cancel(sandbox, exempt["paymentKey"], docs_auth, amount=1000), 403, "NOT_ALLOWED_PARTIAL_REFUND")


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"metadata": {"a": {"nested": 1}}}, "INVALID_REQUEST"),
        ({"customerMobilePhone": "12"}, "INVALID_REQUEST"),
        ({"taxFreeAmount": 999999}, "INVALID_REQUEST"),
        ({"cardInstallmentPlan": 3}, "NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN_BELOW_AMOUNT"),
        ({"card": {"cardCompany": "NOBANK"}}, "INVALID_REQUEST"),
        ({"method": "TRANSFER", "bank": "없는은행"}, "INVALID_BANK"),
    ],
    ids=["metadata-nested", "phone", "tax-free-over", "installments-under-50000", "card-company", "bank"],
)
def test_the_server_checks_the_fields_too(sandbox, extra, code):
    r = sandbox.post(
        "/_sandbox/authorize",
        json={
            "clientKey": DOCS_CLIENT_KEY,
            "method": "CARD",
            "amount": 15000,
            "orderId": "order-fields-srv",
            "orderName": "x",
            **extra,
        },
    )
    assert_error(r, 400, code)
