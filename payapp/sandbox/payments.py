"""The sandbox's payment ledger: the Toss Payment object and its state machine.

A record is ``{"payment": <Toss Payment object>, "internal": {...}}``; only ``payment``
is ever sent over the wire.
"""

from __future__ import annotations

import functools
import math
import os
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus, urlsplit

from . import transactions
from .config import KeyPair, SandboxConfig
from .errors import SandboxError, message

KST = timezone(timedelta(hours=9))
API_VERSION = "2022-11-16"
ORDER_ID_RE = re.compile(r"^[A-Za-z0-9_=-]{6,64}$")
# Statuses of a payment that was approved: an order with one of them is paid (or refunded)
# and takes no second approval (DUPLICATED_ORDER_ID).
APPROVED = frozenset({"DONE", "CANCELED", "PARTIAL_CANCELED"})

# requestPayment method names (Korean and English) → Payment.method in responses.
METHODS = {
    "카드": "카드", "CARD": "카드",
    "계좌이체": "계좌이체", "TRANSFER": "계좌이체",
    "휴대폰": "휴대폰", "MOBILE_PHONE": "휴대폰",
    "토스페이": "간편결제", "토스결제": "간편결제", "TOSSPAY": "간편결제",
    "문화상품권": "문화상품권", "CULTURE_GIFT_CERTIFICATE": "문화상품권",
    "도서문화상품권": "도서문화상품권", "BOOK_GIFT_CERTIFICATE": "도서문화상품권",
    "게임문화상품권": "게임문화상품권", "GAME_GIFT_CERTIFICATE": "게임문화상품권",
}
CARD_ISSUERS = ["11", "21", "31", "41", "51", "61", "71", "91", "W1", "15", "24"]
_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def rand_alnum(n: int) -> str:
    return bytes(_ALNUM[b % 62] for b in os.urandom(n)).decode()


def rand_digits(n: int) -> str:
    return "".join(str(b % 10) for b in os.urandom(n))


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


def with_query(url: str, params: dict) -> str:
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


def validate_window_request(params: dict) -> tuple[str, int, str, str]:
    """Check a payment request as the SDK and window do; returns method, amount, orderId, orderName."""
    method = params.get("method") or "카드"
    if method not in METHODS:
        raise SandboxError("INVALID_REQUEST", f"method: 지원하지 않는 결제수단 '{method}'",
                           detail_en=f"method: unsupported payment method '{method}'")
    amount = parse_amount(params.get("amount"))
    if amount is None or amount <= 0:
        raise SandboxError("INVALID_REQUEST", "amount: 0보다 큰 정수여야 합니다",
                           detail_en="amount: must be an integer above 0")
    order_id = params.get("orderId")
    if not isinstance(order_id, str) or not ORDER_ID_RE.match(order_id):
        raise SandboxError("INVALID_REQUEST", "orderId: 영문 대소문자, 숫자, -, _, = 로 6자 이상 64자 이하",
                           detail_en="orderId: 6 to 64 letters, digits, -, _ or =")
    order_name = params.get("orderName")
    if not isinstance(order_name, str) or not 1 <= len(order_name) <= 100:
        raise SandboxError("INVALID_REQUEST", "orderName: 1자 이상 100자 이하",
                           detail_en="orderName: 1 to 100 characters")
    for name in ("successUrl", "failUrl"):
        url = params.get(name)
        if url is not None and (not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")):
            raise SandboxError("INVALID_REQUEST", f"{name}: http(s)로 시작하는 절대 URL이어야 합니다",
                               detail_en=f"{name}: must be an absolute http(s) URL")
    return method, amount, order_id, order_name


class Ledger:
    """Operations on sandbox payments; every mutation runs under the payment's lock.

    ``on_change(payment, now)``, when given, is called after each stored status change
    (the sandbox's webhooks); it must not block.
    """

    def __init__(self, store, config: SandboxConfig,
                 on_change: Callable[[dict, float], None] | None = None):
        self.store = store
        self.config = config
        self.on_change = on_change

    async def _save(self, record: dict, now: float, changed: bool = True, transaction: dict | None = None) -> None:
        """Store the record (with the ``transaction`` row that changed it, at ``now``); tell
        ``on_change`` when its status moved."""
        await self.store.put_payment(record, None if transaction is None else (now, transaction))
        if changed and self.on_change is not None:
            self.on_change(record["payment"], now)

    async def now(self) -> float:
        return time.time() + await self.store.clock_offset()

    # ---- reading -----------------------------------------------------------------
    def _due(self, record: dict, now: float) -> bool:
        """Whether a READY window (30 min) or an IN_PROGRESS session (10 min) has run out."""
        p, internal = record["payment"], record["internal"]
        if p["status"] == "READY":
            return now >= internal["createdAt"] + self.config.window_ttl
        if p["status"] == "IN_PROGRESS":
            return now >= internal["authenticatedAt"] + self.config.confirm_ttl
        return False

    def _expire_if_due(self, record: dict, now: float) -> bool:
        if not self._due(record, now):
            return False
        p = record["payment"]
        p["status"] = "EXPIRED"
        # A real EXPIRED payment reads method null (toss-api.md §2.2, §3: null "before a
        # method is chosen, e.g. EXPIRED"); nothing was paid with one.
        p["method"] = None
        p["failure"] = {"code": "EXPIRED_PAYMENT", "message": message("EXPIRED_PAYMENT")}
        return True

    async def _visible(self, payment_key: str, pair: KeyPair) -> dict:
        # A payment belongs to the key pair whose client key opened it: any other
        # pair's secret key finds nothing, as with two merchants at Toss.
        record = await self.store.get_payment(payment_key)
        if record is None or record["internal"]["clientKey"] != pair.client_key:
            raise SandboxError("NOT_FOUND_PAYMENT")
        return record

    async def _load_locked(self, payment_key: str, pair: KeyPair, now: float) -> dict:
        """Like :meth:`load`, for a caller that already holds the payment's lock."""
        record = await self._visible(payment_key, pair)
        if self._expire_if_due(record, now):
            await self._save(record, now)
        return record

    async def load(self, payment_key: str, pair: KeyPair) -> dict:
        """The payment as ``pair`` may see it (other merchants' payments do not exist)."""
        record = await self._visible(payment_key, pair)
        if self._due(record, await self.now()):
            # Locks are not reentrant: expiring takes the lock only here, never inside
            # confirm/cancel, which hold it already and call _load_locked.
            async with self.store.lock(payment_key):
                record = await self._load_locked(payment_key, pair, await self.now())
        return record

    async def load_by_order(self, order_id: str, pair: KeyPair) -> dict:
        """The order's approved payment if it has one, else its newest.

        One orderId may carry several payments (windows the buyer left, refusals, expiries);
        at most one of them was ever approved, and that is the one the order is about.
        """
        found = None
        for key in reversed(await self.store.payment_keys_for_order(pair.mid, order_id)):
            try:
                record = await self.load(key, pair)
            except SandboxError:  # another pair of the same mId opened it
                continue
            if record["payment"]["status"] in APPROVED:
                return record
            found = found or record
        if found is None:
            raise SandboxError("NOT_FOUND_PAYMENT")
        return found

    async def transactions(self, pair: KeyPair, start: float, end: float, after: str | None,
                           limit: int) -> list[dict]:
        """The pair's transactions (approvals and cancels) whose transactionAt is in [start, end]."""
        rows = await self.store.transactions(pair.client_key, start, end, after, limit)
        if rows is None:  # a cursor that is none of this pair's transactionKeys
            raise SandboxError("INVALID_TRANSACTION_KEY")
        return rows

    async def _order_is_paid(self, mid: str, order_id: str, other_than: str | None = None) -> bool:
        """Whether any payment of the order (``other_than`` aside) was approved."""
        keys = [k for k in await self.store.payment_keys_for_order(mid, order_id) if k != other_than]
        if not keys:
            return False
        return any(r is not None and r["payment"]["status"] in APPROVED for r in await self.store.get_payments(keys))

    # ---- the payment window ------------------------------------------------------
    async def open_window(self, pair: KeyPair, params: dict) -> dict:
        """The buyer opened the window: a READY payment bound to orderId and amount."""
        method, amount, order_id, order_name = validate_window_request(params)
        # orderIds are unique per merchant: once any payment of the order was approved, no
        # new window opens for it. A window that slips in beside a confirm is refused at its
        # own confirm, under the order's lock.
        if await self._order_is_paid(pair.mid, order_id):
            raise SandboxError("DUPLICATED_ORDER_ID")
        now = await self.now()
        payment_key = pair.mid[:5] + _key_stamp(math.floor(now)) + rand_alnum(12)
        vat = vat_of(amount)
        payment = {
            "mId": pair.mid, "lastTransactionKey": None, "paymentKey": payment_key,
            "orderId": order_id, "orderName": order_name, "taxExemptionAmount": 0,
            "status": "READY", "requestedAt": iso(now), "approvedAt": None,
            "useEscrow": False, "cultureExpense": False, "card": None, "virtualAccount": None,
            "transfer": None, "mobilePhone": None, "giftCertificate": None, "cashReceipt": None,
            "cashReceipts": None, "discount": None, "cancels": None, "secret": None,
            "type": "NORMAL", "easyPay": None, "country": "KR", "failure": None,
            "isPartialCancelable": True, "receipt": None,
            "checkout": {"url": f"{self.config.api_base_for_urls}/v1/payments/{payment_key}/checkout"},
            "currency": "KRW", "totalAmount": amount, "balanceAmount": amount,
            "suppliedAmount": amount - vat, "vat": vat, "taxFreeAmount": 0,
            "method": METHODS[method], "version": API_VERSION, "metadata": params.get("metadata"),
        }
        internal = {
            "createdAt": now, "authenticatedAt": None, "clientKey": pair.client_key,
            "successUrl": params.get("successUrl"), "failUrl": params.get("failUrl"),
            "customerName": params.get("customerName"), "customerEmail": params.get("customerEmail"),
        }
        record = {"payment": payment, "internal": internal}
        await self.store.put_payment(record)
        return record

    async def window_outcome(self, payment_key: str, outcome: str) -> tuple[dict, dict]:
        """Apply the buyer's choice; returns the record and the redirect query parameters."""
        async with self.store.lock(payment_key):
            record = await self.store.get_payment(payment_key)
            if record is None:
                raise SandboxError("NOT_FOUND_PAYMENT")
            p = record["payment"]
            now = await self.now()
            expired = self._expire_if_due(record, now)
            if expired or p["status"] != "READY":
                await self._save(record, now, changed=expired)
                raise SandboxError("NOT_FOUND_PAYMENT_SESSION")
            if outcome == "approve":
                p["status"] = "IN_PROGRESS"
                record["internal"]["authenticatedAt"] = now
                params = {"paymentType": "NORMAL", "orderId": p["orderId"],
                          "paymentKey": payment_key, "amount": p["totalAmount"]}
            elif outcome == "reject":
                p["status"] = "ABORTED"
                p["failure"] = {"code": "REJECT_CARD_COMPANY", "message": message("REJECT_CARD_COMPANY")}
                params = {"code": "REJECT_CARD_COMPANY", "message": message("REJECT_CARD_COMPANY"),
                          "orderId": p["orderId"]}
            elif outcome == "cancel":
                # The buyer backed out: the payment stays READY and expires like an unused window.
                params = {"code": "PAY_PROCESS_CANCELED", "message": message("PAY_PROCESS_CANCELED"),
                          "orderId": p["orderId"]}
            else:
                raise SandboxError("INVALID_REQUEST", "outcome: approve | reject | cancel",
                                    detail_en="outcome: approve | reject | cancel")
            await self._save(record, now, changed=outcome == "reject")
            return record, params

    # ---- server API --------------------------------------------------------------
    async def confirm(self, pair: KeyPair, payment_key: str, order_id: str, amount: int) -> dict:
        # The order's lock, then the payment's: confirms of two payments of one order run one
        # after the other, so that only the first can be approved. Nothing else takes two
        # locks, and the order lock always comes first. A confirm whose orderId is not the
        # payment's holds another order's lock, but changes nothing.
        async with self.store.lock(f"order:{pair.mid}:{order_id}", payment_key):
            now = await self.now()  # one instant: the expiry check and the time written
            record = await self._load_locked(payment_key, pair, now)
            p = record["payment"]
            if p["status"] in ("DONE", "CANCELED", "PARTIAL_CANCELED", "ABORTED", "WAITING_FOR_DEPOSIT"):
                raise SandboxError("ALREADY_PROCESSED_PAYMENT")
            if p["status"] != "IN_PROGRESS":  # READY (never authenticated) or EXPIRED
                raise SandboxError("NOT_FOUND_PAYMENT_SESSION")
            # Toss binds orderId and amount to the authenticated session: different values
            # find no session. The payment is left as it was, so an honest retry still works.
            if p["orderId"] != order_id or p["totalAmount"] != amount:
                raise SandboxError("NOT_FOUND_PAYMENT_SESSION", "orderId 또는 amount가 결제창 요청과 다릅니다",
                                   detail_en="orderId or amount differs from the payment window request")
            # Another payment of the order was approved first; this one stays IN_PROGRESS
            # and runs out like any session that is never confirmed.
            if await self._order_is_paid(pair.mid, order_id, other_than=payment_key):
                raise SandboxError("DUPLICATED_ORDER_ID")
            tx = secrets.token_hex(16).upper()
            issuer = CARD_ISSUERS[int.from_bytes(os.urandom(1), "big") % len(CARD_ISSUERS)]
            p.update(
                status="DONE", approvedAt=iso(now), lastTransactionKey=tx,
                receipt={"url": f"{self.config.receipt_base}/receipt/redirection?transactionId={payment_key}&ref=PX"},
            )
            # lastTransactionKey moves on with every cancel: the approval's own key stays here.
            record["internal"]["approvalTransactionKey"] = tx
            if p["method"] == "카드":
                p["card"] = {
                    "issuerCode": issuer, "acquirerCode": issuer,
                    "number": f"{rand_digits(8)}****{rand_digits(3)}*",
                    "installmentPlanMonths": 0, "isInterestFree": False, "interestPayer": None,
                    "approveNo": "00000000" if pair.is_test else rand_digits(8),
                    "useCardPoint": False, "cardType": "신용", "ownerType": "개인",
                    "acquireStatus": "READY", "amount": amount,
                }
            elif p["method"] == "간편결제":
                p["easyPay"] = {"provider": "토스페이", "amount": amount, "discountAmount": 0}
            elif p["method"] == "계좌이체":
                p["transfer"] = {"bankCode": "92", "settlementStatus": "INCOMPLETED"}
            elif p["method"] == "휴대폰":
                p["mobilePhone"] = {"customerMobilePhone": "01000000000", "settlementStatus": "INCOMPLETED",
                                    "receiptUrl": p["receipt"]["url"]}
            await self._save(record, now, transaction=transactions.approval(p))
            return record

    async def cancel(self, pair: KeyPair, payment_key: str, reason: str, cancel_amount: int | None,
                     refundable_amount: int | None) -> dict:
        async with self.store.lock(payment_key):
            now = await self.now()  # one instant: the expiry check and the time written
            record = await self._load_locked(payment_key, pair, now)
            p = record["payment"]
            if p["status"] == "CANCELED":
                raise SandboxError("ALREADY_CANCELED_PAYMENT")
            if p["status"] not in ("DONE", "PARTIAL_CANCELED"):
                raise SandboxError("NOT_CANCELABLE_PAYMENT")
            balance = p["balanceAmount"]
            if refundable_amount is not None and refundable_amount != balance:
                raise SandboxError("NOT_MATCHES_REFUNDABLE_AMOUNT")
            amount = balance if cancel_amount is None else cancel_amount
            if amount <= 0 or amount > balance:
                raise SandboxError("NOT_CANCELABLE_AMOUNT")
            tx = secrets.token_hex(16).upper()
            remaining = balance - amount
            p["cancels"] = (p["cancels"] or []) + [{
                "transactionKey": tx, "cancelReason": reason, "taxExemptionAmount": 0,
                "canceledAt": iso(now), "transferDiscountAmount": 0, "easyPayDiscountAmount": 0,
                "receiptKey": None, "cancelAmount": amount, "taxFreeAmount": 0,
                "refundableAmount": remaining, "cardDiscountAmount": 0, "cancelStatus": "DONE",
                "cancelRequestId": None,
            }]
            vat = vat_of(remaining)
            p.update(balanceAmount=remaining, vat=vat, suppliedAmount=remaining - vat,
                     lastTransactionKey=tx, status="CANCELED" if remaining == 0 else "PARTIAL_CANCELED")
            if p["card"] and remaining == 0:
                p["card"]["acquireStatus"] = "CANCELED"
            await self._save(record, now, transaction=transactions.cancellation(p, p["cancels"][-1]))
            return record

    async def expire_due(self) -> int:
        """Expire every READY/IN_PROGRESS payment whose time is up (the clock moved); returns how many."""
        count, started = 0, await self.now()
        for record in await self.store.list_payments():
            if self._due(record, started):
                key = record["payment"]["paymentKey"]
                async with self.store.lock(key):
                    fresh = await self.store.get_payment(key)
                    now = await self.now()
                    if fresh is not None and self._expire_if_due(fresh, now):
                        await self._save(fresh, now)
                        count += 1
        return count
