"""What each payment method writes into the Payment when it is approved.

``approve(record, pair, now, config)`` fills the method's sub-object (``card``, ``easyPay``,
``transfer``, ``mobilePhone``) from the buyer's request options, as Toss's confirm answer has
it (toss-api.md §3.3). A 가상계좌 is not approved at confirm but issued: see
``virtual_accounts.issue``.
"""

from __future__ import annotations

import os

from .jsontypes import JSONObject, Options, Payment, PaymentRecord

# requestPayment method names (Korean and English) → Payment.method in responses.
METHODS = {
    "카드": "카드",
    "CARD": "카드",
    "가상계좌": "가상계좌",
    "VIRTUAL_ACCOUNT": "가상계좌",
    "계좌이체": "계좌이체",
    "TRANSFER": "계좌이체",
    "휴대폰": "휴대폰",
    "MOBILE_PHONE": "휴대폰",
    "토스페이": "간편결제",
    "토스결제": "간편결제",
    "TOSSPAY": "간편결제",
    "문화상품권": "문화상품권",
    "CULTURE_GIFT_CERTIFICATE": "문화상품권",
    "도서문화상품권": "도서문화상품권",
    "BOOK_GIFT_CERTIFICATE": "도서문화상품권",
    "게임문화상품권": "게임문화상품권",
    "GAME_GIFT_CERTIFICATE": "게임문화상품권",
}
GIFT_CERTIFICATES = frozenset({"문화상품권", "도서문화상품권", "게임문화상품권"})
CARD_ISSUERS = ["11", "21", "31", "41", "51", "61", "71", "91", "W1", "15", "24"]


def rand_digits(n: int) -> str:
    return "".join(str(b % 10) for b in os.urandom(n))


def card_object(issuer: str | None, amount: int, is_test: bool, options: Options) -> JSONObject:
    issuer = issuer or CARD_ISSUERS[os.urandom(1)[0] % len(CARD_ISSUERS)]
    return {
        "issuerCode": issuer,
        "acquirerCode": issuer,
        "number": f"{rand_digits(8)}****{rand_digits(3)}*",
        "installmentPlanMonths": options.get("installmentPlanMonths", 0),
        "isInterestFree": False,
        "interestPayer": None,
        "approveNo": "00000000" if is_test else rand_digits(8),
        "useCardPoint": options.get("useCardPoint", False),
        "cardType": "신용",
        "ownerType": "개인",
        "acquireStatus": "READY",
        "amount": amount,
    }


def approve(record: PaymentRecord, is_test: bool) -> None:
    """Write the approved method's sub-object into ``record["payment"]``."""
    p, options = record["payment"], record["internal"].get("options") or {}
    amount, method = p["totalAmount"], p["method"]
    if method == "카드":
        p["card"] = card_object(options.get("issuerCode"), amount, is_test, options)
        if "easyPay" in options:  # a card paid inside an easy pay (flowMode DIRECT, easyPay)
            p["easyPay"] = {"provider": options["easyPay"], "amount": 0, "discountAmount": 0}
    elif method == "간편결제":
        p["easyPay"] = {"provider": options.get("easyPay", "토스페이"), "amount": amount, "discountAmount": 0}
    elif method == "계좌이체":
        p["transfer"] = {
            "bankCode": options.get("bank") or record["internal"].get("bank") or "92",
            "settlementStatus": "INCOMPLETED",
        }
        cash_receipt(p, options)
    elif method == "휴대폰":
        p["mobilePhone"] = {
            "customerMobilePhone": options.get("customerMobilePhone", "01000000000"),
            "settlementStatus": "INCOMPLETED",
            "receiptUrl": p["receipt"]["url"],
        }
    elif method in GIFT_CERTIFICATES:
        p["giftCertificate"] = {"approveNo": rand_digits(8), "settlementStatus": "INCOMPLETED"}


def cash_receipt(p: Payment, options: Options) -> None:
    """The 현금영수증 of a transfer or a deposited 가상계좌, when the buyer asked for one."""
    kind = options.get("cashReceiptType")
    if kind not in ("소득공제", "지출증빙"):
        return
    key = "cr_" + os.urandom(12).hex()
    p["cashReceipt"] = {
        "type": kind,
        "receiptKey": key,
        "issueNumber": rand_digits(9),
        "receiptUrl": f"https://dashboard-sandbox.tosspayments.com/receipt/mids/{key}",
        "amount": p["totalAmount"],
        "taxFreeAmount": p["taxFreeAmount"],
    }
