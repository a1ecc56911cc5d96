"""The optional fields of a payment request, v1 (flat) and v2 (per-method objects), in one form.

The v1 SDK takes ``requestPayment('가상계좌', {validHours, cashReceipt, useEscrow, ...})``; v2
takes ``requestPayment({method: 'VIRTUAL_ACCOUNT', virtualAccount: {validHours, ...}})`` and the
widget ``requestPayment({card: {...}, virtualAccount: {...}, ...})`` with one object per method
the buyer may choose. :func:`parse` reads either into one flat dict of the fields the sandbox
writes into the Payment (toss-api.md §3, §7.1, §7.2), checked as the server checks them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .errors import SandboxError
from .institutions import CARD_COMPANIES, EASY_PAYS, bank_code
from .jsontypes import JSONObject, Options

KST = timezone(timedelta(hours=9))
# Payment.method → the request object that carries its options (v2).
METHOD_OBJECT = {
    "카드": "card",
    "간편결제": "card",
    "가상계좌": "virtualAccount",
    "계좌이체": "transfer",
    "휴대폰": "mobilePhone",
}
CASH_RECEIPT_TYPES = ("소득공제", "지출증빙", "미발행")
_PHONE = re.compile(r"^\d{8,15}$")
# Every field parse() reads, flat (v1) or as a method's object (v2): a request with none of
# them (the plain card request) costs one set check.
FIELDS = frozenset(
    {
        "metadata",
        "customerMobilePhone",
        "taxFreeAmount",
        "taxExemptionAmount",
        "useEscrow",
        "cultureExpense",
        "isCulturalExpenses",
        "cashReceipt",
        "validHours",
        "dueDate",
        "cardCompany",
        "cardInstallmentPlan",
        "useCardPoint",
        "easyPay",
        "bank",
        *METHOD_OBJECT.values(),
    }
)
_DUE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def _bad(field: str, ko: str, en: str) -> SandboxError:
    return SandboxError("INVALID_REQUEST", f"{field}: {ko}", detail_en=f"{field}: {en}")


def _int(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) and not (isinstance(value, float) and value.is_integer()):
        raise _bad(field, f"{low} 이상 {high} 이하의 정수", f"an integer from {low} to {high}")
    if not low <= int(value) <= high:
        raise _bad(field, f"{low} 이상 {high} 이하의 정수", f"an integer from {low} to {high}")
    return int(value)


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(field, "true 또는 false", "true or false")
    return value


def metadata(value: object) -> dict[str, str] | None:
    """Toss's metadata: at most 5 pairs, keys ≤ 40 characters without [ ], values ≤ 2000 (kept as strings)."""
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > 5:
        raise _bad("metadata", "최대 5개의 키-값 쌍", "at most 5 key-value pairs")
    out = {}
    for key, item in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 40 or "[" in key or "]" in key:
            raise _bad("metadata", "키는 [, ]가 없는 40자 이하의 문자열", "keys are up to 40 characters without [ or ]")
        if isinstance(item, (dict, list)) or item is None:
            raise _bad("metadata", "값은 2000자 이하의 문자열", "values are strings of up to 2000 characters")
        text = item if isinstance(item, str) else str(item).lower() if isinstance(item, bool) else str(item)
        if len(text) > 2000:
            raise _bad("metadata", "값은 2000자 이하의 문자열", "values are strings of up to 2000 characters")
        out[key] = text
    return out


def due_timestamp(text: object) -> float:
    """``yyyy-MM-dd'T'HH:mm:ss`` in KST (an offset is accepted too) → epoch seconds."""
    if not isinstance(text, str) or not (_DUE.match(text) or _DUE.match(text[:19])):
        raise SandboxError("INVALID_DATE", "dueDate: yyyy-MM-dd'T'HH:mm:ss", detail_en="dueDate: yyyy-MM-dd'T'HH:mm:ss")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise SandboxError("INVALID_DATE", "dueDate: 존재하지 않는 날짜", detail_en="dueDate: no such date") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=KST)).timestamp()


def parse(params: JSONObject, method: str, amount: int) -> Options:
    """The request's optional fields for a payment of ``method`` (Payment.method) and ``amount``.

    Only fields that were given appear in the result; the card path of a plain request gives {}.
    """
    out: Options = {}
    if FIELDS.isdisjoint(params):
        return out
    nested = params.get(METHOD_OBJECT.get(method, ""))
    if nested is not None and not isinstance(nested, dict):
        raise _bad(METHOD_OBJECT[method], "객체여야 합니다", "must be an object")
    # v1 puts the method options at the top level, v2 in the method's object: read both.
    src = {
        **{k: v for k, v in params.items() if v is not None},
        **{k: v for k, v in (nested or {}).items() if v is not None},
    }
    if not src:
        return out
    if "metadata" in src:
        out["metadata"] = metadata(src["metadata"])
    if "customerMobilePhone" in src:
        phone = src["customerMobilePhone"]
        if not isinstance(phone, str) or not _PHONE.match(phone):
            raise _bad("customerMobilePhone", "- 없이 숫자 8자 이상 15자 이하", "8 to 15 digits, no '-'")
        out["customerMobilePhone"] = phone
    for name in ("taxFreeAmount", "taxExemptionAmount"):
        if name in src:
            out[name] = _int(src[name], name, 0, amount)
    if out.get("taxFreeAmount", 0) + out.get("taxExemptionAmount", 0) > amount:
        raise _bad(
            "taxFreeAmount",
            "면세·과세 제외 금액의 합은 결제 금액 이하",
            "tax-free plus tax-exempt must not exceed the amount",
        )
    if "useEscrow" in src:
        out["useEscrow"] = _bool(src["useEscrow"], "useEscrow")
    for name in ("cultureExpense", "isCulturalExpenses"):
        if name in src:
            out["cultureExpense"] = _bool(src[name], name)
    if "cashReceipt" in src:
        receipt = src["cashReceipt"]
        if not isinstance(receipt, dict) or receipt.get("type") not in CASH_RECEIPT_TYPES:
            raise _bad("cashReceipt.type", "소득공제, 지출증빙, 미발행 중 하나", "one of 소득공제, 지출증빙, 미발행")
        out["cashReceiptType"] = receipt["type"]
    if method == "가상계좌":
        _virtual_account(src, out)
    if method in ("카드", "간편결제"):
        _card(src, out, amount)
    if "bank" in src and method == "계좌이체":
        code = bank_code(src["bank"])
        if code is None:
            raise SandboxError("INVALID_BANK")
        out["bank"] = code
    return out


def _virtual_account(src: JSONObject, out: Options) -> None:
    if "validHours" in src and "dueDate" in src:
        raise _bad("validHours", "validHours와 dueDate 중 하나만", "give validHours or dueDate, not both")
    if "validHours" in src:
        # 2160 h = 90 days, Toss's current maximum (toss-api.md §2.5, §13).
        hours = src["validHours"]
        if isinstance(hours, (int, float)) and not isinstance(hours, bool) and hours > 2160:
            raise SandboxError("EXCEED_MAX_DUE_DATE")
        out["validHours"] = _int(hours, "validHours", 1, 2160)
    if "dueDate" in src:
        out["dueDate"] = due_timestamp(src["dueDate"])


def _card(src: JSONObject, out: Options, amount: int) -> None:
    if "cardCompany" in src:
        if src["cardCompany"] not in CARD_COMPANIES:
            raise _bad("cardCompany", "지원하지 않는 카드사 코드", "unknown card company code")
        out["issuerCode"] = CARD_COMPANIES[src["cardCompany"]]
    if "cardInstallmentPlan" in src:
        months = _int(src["cardInstallmentPlan"], "cardInstallmentPlan", 0, 12)
        if months == 1:
            raise SandboxError("INVALID_CARD_INSTALLMENT_PLAN")
        if months and amount < 50_000:
            raise SandboxError("NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN_BELOW_AMOUNT")
        out["installmentPlanMonths"] = months
    if "useCardPoint" in src:
        out["useCardPoint"] = _bool(src["useCardPoint"], "useCardPoint")
    if "easyPay" in src:
        provider = src["easyPay"]
        name = EASY_PAYS.get(provider) if isinstance(provider, str) else None
        if name is None and provider in EASY_PAYS.values():
            name = provider
        if name is None:
            raise _bad("easyPay", "지원하지 않는 간편결제", "unknown easy pay")
        out["easyPay"] = name
