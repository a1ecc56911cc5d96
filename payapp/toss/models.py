"""Pydantic models of the Toss Payment object: the fields payapp reads; unknown ones are kept."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class _Lenient(BaseModel):
    # Toss adds fields without a version bump: keep whatever arrives.
    model_config = ConfigDict(extra="allow")


class TossFailure(_Lenient):
    code: str
    message: str = ""


class TossCancel(_Lenient):
    cancelAmount: int
    cancelReason: str | None = None
    canceledAt: datetime | None = None
    transactionKey: str | None = None
    refundableAmount: int | None = None
    cancelStatus: str | None = None


class TossCard(_Lenient):
    issuerCode: str | None = None
    number: str | None = None
    approveNo: str | None = None
    installmentPlanMonths: int | None = None
    cardType: str | None = None


class TossPayment(_Lenient):
    paymentKey: str
    orderId: str
    orderName: str | None = None
    status: str
    method: str | None = None
    totalAmount: int
    balanceAmount: int
    requestedAt: datetime | None = None
    approvedAt: datetime | None = None
    lastTransactionKey: str | None = None
    card: TossCard | None = None
    cancels: list[TossCancel] | None = None
    failure: TossFailure | None = None
    receipt: dict[str, object] | None = None  # {url}; not read by us, kept as Toss sent it


class TossTransaction(_Lenient):
    """One row of ``GET /v1/transactions``: an approval, or one (partial) cancel."""

    transactionKey: str
    paymentKey: str
    orderId: str
    status: str
    amount: int
    method: str | None = None
    transactionAt: datetime | None = None
