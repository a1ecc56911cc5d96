"""The Toss Payment object: how one is built, and the formats it is written in.

Times as Toss writes them (KST, to the second), VAT, amounts as they arrive, the window
request's checks and a fresh Payment with the request's options in it. Used by the ledger
(``payments``), billing and the control API.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus, urlsplit

from .config import KeyPair
from .errors import SandboxError
from .jsontypes import JSONObject, Options, Payment
from .methods import METHODS

KST = timezone(timedelta(hours=9))
API_VERSION = "2022-11-16"
ORDER_ID_RE = re.compile(r"^[A-Za-z0-9_=-]{6,64}$")
_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def rand_alnum(n: int) -> str:
    return bytes(_ALNUM[b % 62] for b in os.urandom(n)).decode()


def iso(ts: float) -> str:
    """``ts`` in KST to the second, as Toss writes times (``2024-02-13T12:18:14+09:00``)."""
    return _iso_second(math.floor(ts))


@functools.lru_cache(maxsize=8)
def _iso_second(second: int) -> str:
    # Every request logs its time and most write one or two more: within one second
    # they are the same string, so it is formatted once.
    return datetime.fromtimestamp(second, KST).isoformat(timespec="seconds")


@functools.lru_cache(maxsize=8)
def _key_stamp(second: int) -> str:
    return datetime.fromtimestamp(second, KST).strftime("%Y%m%d%H%M%S")


def vat_of(amount: int, tax_free: int = 0) -> int:
    """Toss's VAT: (amount − taxFree) / 11, rounded half up, in whole won."""
    return (2 * (amount - tax_free) + 11) // 22


def with_query(url: str, params: Mapping[str, object]) -> str:
    """Append ``params`` to ``url``'s query, before any fragment.

    The merchant's own query stays byte for byte (``?flag`` is not ``?flag=``, ``%2F``
    is not ``/``): it is the merchant's, and a re-encoded one may no longer match what
    the shop signed or routes on.
    """
    base, hash_, fragment = url.partition("#")
    extra = "&".join(f"{_quote(k)}={_quote(str(v))}" for k, v in params.items())
    if "?" not in base:
        base += "?"
    elif not base.endswith(("?", "&")):
        base += "&"
    return base + extra + hash_ + fragment


_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")


def _quote(text: str) -> str:
    """``urlencode``'s quoting; most values need none, and quote_plus is slow pure Python."""
    return text if _UNQUOTED.fullmatch(text) else quote_plus(text)


def parse_amount(value: object) -> int | None:
    """Amounts arrive as JSON numbers or, from the samples, numeric strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def validate_window_request(params: JSONObject) -> tuple[str, int, str, str]:
    """Check a payment request as the SDK and window do; returns method, amount, orderId, orderName."""
    method = params.get("method") or "카드"
    if method not in METHODS:
        raise SandboxError(
            "INVALID_REQUEST",
            f"method: 지원하지 않는 결제수단 '{method}'",
            detail_en=f"method: unsupported payment method '{method}'",
        )
    amount = parse_amount(params.get("amount"))
    if amount is None or amount <= 0:
        raise SandboxError(
            "INVALID_REQUEST", "amount: 0보다 큰 정수여야 합니다", detail_en="amount: must be an integer above 0"
        )
    order_id = params.get("orderId")
    if not isinstance(order_id, str) or not ORDER_ID_RE.match(order_id):
        raise SandboxError(
            "INVALID_REQUEST",
            "orderId: 영문 대소문자, 숫자, -, _, = 로 6자 이상 64자 이하",
            detail_en="orderId: 6 to 64 letters, digits, -, _ or =",
        )
    order_name = params.get("orderName")
    if not isinstance(order_name, str) or not 1 <= len(order_name) <= 100:
        raise SandboxError(
            "INVALID_REQUEST", "orderName: 1자 이상 100자 이하", detail_en="orderName: 1 to 100 characters"
        )
    for name in ("successUrl", "failUrl"):
        url = params.get(name)
        if url is not None and (not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")):
            raise SandboxError(
                "INVALID_REQUEST",
                f"{name}: http(s)로 시작하는 절대 URL이어야 합니다",
                detail_en=f"{name}: must be an absolute http(s) URL",
            )
    return method, amount, order_id, order_name


def new_payment(
    pair: KeyPair,
    api_base: str,
    payment_key: str,
    order_id: str,
    order_name: str,
    amount: int,
    method: str,
    now: float,
    options: Options,
    kind: str = "NORMAL",
) -> Payment:
    """A fresh Payment object (no status yet) with the request's options written in."""
    tax_free = options.get("taxFreeAmount", 0)
    exemption = options.get("taxExemptionAmount", 0)
    vat = vat_of(amount, tax_free)
    return {
        "mId": pair.mid,
        "lastTransactionKey": None,
        "paymentKey": payment_key,
        "orderId": order_id,
        "orderName": order_name,
        "taxExemptionAmount": exemption,
        "status": None,
        "requestedAt": iso(now),
        "approvedAt": None,
        "useEscrow": options.get("useEscrow", False),
        "cultureExpense": options.get("cultureExpense", False),
        "card": None,
        "virtualAccount": None,
        "transfer": None,
        "mobilePhone": None,
        "giftCertificate": None,
        "cashReceipt": None,
        "cashReceipts": None,
        "discount": None,
        "cancels": None,
        "secret": None,
        "type": kind,
        "easyPay": None,
        "country": "KR",
        "failure": None,
        # Toss: a card payment with a tax-exempt amount cannot be cancelled in part.
        "isPartialCancelable": not (exemption and method == "카드"),
        "receipt": None,
        "checkout": {"url": f"{api_base}/v1/payments/{payment_key}/checkout"},
        "currency": "KRW",
        "totalAmount": amount,
        "balanceAmount": amount,
        "suppliedAmount": amount - tax_free - vat,
        "vat": vat,
        "taxFreeAmount": tax_free,
        "method": method,
        "version": API_VERSION,
        "metadata": options.get("metadata"),
    }


def new_payment_key(pair: KeyPair, now: float) -> str:
    return pair.mid[:5] + _key_stamp(math.floor(now)) + rand_alnum(12)
