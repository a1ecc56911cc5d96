"""Public (response) models: what the API and pages show of a payment. No secrets here."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel

KST = ZoneInfo("Asia/Seoul")


def in_kst(value: datetime | None) -> datetime | None:
    """Times are stored in UTC and shown in Asia/Seoul, as Toss writes them (+09:00)."""
    return value.astimezone(KST) if value else None


class PaymentFields(Protocol):
    """What a view reads of a payment: a ``Payment`` model, or the services' plain ``PaymentRow``."""

    @property
    def order_id(self) -> str: ...
    @property
    def payment_key(self) -> str | None: ...
    @property
    def order_name(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def balance_amount(self) -> int: ...
    @property
    def method(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def approved_at(self) -> datetime | None: ...
    @property
    def items(self) -> list[dict]: ...
    @property
    def failure_code(self) -> str | None: ...
    @property
    def failure_message(self) -> str | None: ...
    @property
    def checked_at(self) -> datetime | None: ...
    @property
    def raw(self) -> dict | None: ...


class PaymentView(BaseModel):
    orderId: str
    paymentKey: str | None
    orderName: str
    amount: int
    balanceAmount: int
    method: str | None
    status: str
    approvedAt: datetime | None
    items: list[dict] = []
    failureCode: str | None = None
    failureMessage: str | None = None
    checkedAt: datetime | None = None  # when Toss last answered about it (reconciliation)
    # 가상계좌: where and until when the buyer pays ({bankCode, accountNumber, customerName,
    # dueDate, expired}); never the payment's ``secret``.
    virtualAccount: dict | None = None

    @classmethod
    def of(cls, p: PaymentFields) -> PaymentView:
        return cls(
            orderId=p.order_id,
            paymentKey=p.payment_key,
            orderName=p.order_name,
            amount=p.amount,
            balanceAmount=p.balance_amount,
            method=p.method,
            status=p.status,
            approvedAt=in_kst(p.approved_at),
            items=p.items or [],
            failureCode=p.failure_code,
            failureMessage=p.failure_message,
            checkedAt=in_kst(p.checked_at),
            virtualAccount=public_virtual_account(p.raw),
        )


VA_PUBLIC = ("bankCode", "accountNumber", "customerName", "dueDate", "expired")


def public_virtual_account(raw: dict | None) -> dict | None:
    """What the buyer may see of Toss's ``virtualAccount`` object (None for other methods)."""
    va = (raw or {}).get("virtualAccount")
    return {k: va.get(k) for k in VA_PUBLIC} if isinstance(va, dict) else None


class ConfirmResult(BaseModel):
    payment: PaymentView
    pending: bool = False

    @property
    def message(self) -> str:
        return "승인 확인 중" if self.pending else ""


class PreparedView(BaseModel):
    orderId: str
    orderName: str
    amount: int


class ProductView(BaseModel):
    id: int
    name: str
    description: str
    price: int
    image: str
