"""The payment REST API (paths kept from the Spring original): prepare, confirm, read, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, StrictInt

from payapp.api.deps import AdminUser, CurrentUser, Payments
from payapp.models import EventSource
from payapp.schemas import PaymentView, PreparedView
from payapp.services.payments.base import MAX_AMOUNT
from payapp.services.payments.prepare import MAX_ID, MAX_LINES

router = APIRouter(prefix="/v1/payments", tags=["payments"])


class PrepareLine(BaseModel):
    """One cart line. Strict integers (``"1"`` or ``1.0`` is no id); the ranges are documented
    here and checked by the service, which answers PRODUCT_NOT_AVAILABLE / INVALID_QUANTITY."""

    productId: StrictInt = Field(json_schema_extra={"minimum": 1, "maximum": MAX_ID})
    quantity: StrictInt = Field(1, json_schema_extra={"minimum": 1, "maximum": 99})


class PrepareIn(BaseModel):
    items: list[PrepareLine] = Field(min_length=1, max_length=MAX_LINES, description="[{productId, quantity}]")


class ConfirmIn(BaseModel):
    """What Toss's success redirect carries; ``amount`` may come as the redirect's string."""

    paymentKey: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")
    orderId: str = Field(min_length=6, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    amount: Annotated[int, Field(ge=0, le=MAX_AMOUNT)] | Annotated[str, Field(pattern=r"^[0-9]{1,12}$")]


class ConfirmOut(PaymentView):
    pending: bool = False
    message: str = ""


class RefundAccountIn(BaseModel):
    """Where a deposited 가상계좌 is refunded (Toss's refundReceiveAccount)."""

    bank: str = Field(min_length=2, max_length=20, description="은행 코드(예: 20) 또는 이름(예: 우리)")
    accountNumber: str = Field(pattern=r"^\d{6,20}$", description="- 없이 숫자만")
    holderName: str = Field(min_length=1, max_length=60)


class CancelIn(BaseModel):
    cancelReason: str = Field(min_length=1, max_length=200)
    cancelAmount: Annotated[int, Field(gt=0, le=MAX_AMOUNT)] | None = None
    refundReceiveAccount: RefundAccountIn | None = None  # required for a deposited 가상계좌


@router.post("/prepare", response_model=PreparedView)
async def prepare(body: PrepareIn, user: CurrentUser, service: Payments) -> PreparedView:
    return await service.prepare(user, [line.model_dump() for line in body.items])


@router.post("/confirm", response_model=ConfirmOut)
async def confirm(body: ConfirmIn, user: CurrentUser, service: Payments, response: Response) -> ConfirmOut:
    """200 with the Payment, or 202 with ``pending: true`` while Toss's answer is unknown."""
    result = await service.confirm(user, body.paymentKey, body.orderId, body.amount)
    if result.pending:
        response.status_code = 202
    return ConfirmOut(**result.payment.model_dump(), pending=result.pending, message=result.message)


@router.get("", response_model=dict)
async def my_payments(user: CurrentUser, service: Payments) -> dict:
    data = await service.list_for_user(user)
    return {"data": data, "count": len(data)}


@router.get("/{orderId}", response_model=PaymentView)
async def get_payment(orderId: str, user: CurrentUser, service: Payments) -> PaymentView:  # noqa: N803
    return await service.get(user, orderId)


@router.post("/{orderId}/cancel", response_model=PaymentView)
async def cancel(orderId: str, body: CancelIn, admin: AdminUser, service: Payments) -> PaymentView:  # noqa: N803
    account = body.refundReceiveAccount.model_dump() if body.refundReceiveAccount else None
    return await service.cancel(admin, orderId, body.cancelReason, body.cancelAmount, account)


@router.post("/{orderId}/sync", response_model=PaymentView)
async def sync(orderId: str, admin: AdminUser, service: Payments) -> PaymentView:  # noqa: N803
    """Re-read the payment at Toss and apply it (reconciliation by hand)."""
    return await service.settle(orderId, EventSource.ADMIN)
