"""The payment REST API (paths kept from the Spring original): prepare, confirm, read, cancel."""

from __future__ import annotations

from fastapi import APIRouter, Response

from payapp.api.deps import AdminUser, CurrentUser, Payments
from payapp.models import EventSource
from payapp.schemas import PaymentView, PreparedView
from payapp.services.inputs import CancelIn, ConfirmIn, PrepareIn

router = APIRouter(prefix="/v1/payments", tags=["payments"])


class ConfirmOut(PaymentView):
    pending: bool = False
    message: str = ""


@router.post("/prepare", response_model=PreparedView)
async def prepare(body: PrepareIn, user: CurrentUser, service: Payments) -> PreparedView:
    return await service.prepare(user, body)


@router.post("/confirm", response_model=ConfirmOut)
async def confirm(body: ConfirmIn, user: CurrentUser, service: Payments, response: Response) -> ConfirmOut:
    """200 with the Payment, or 202 with ``pending: true`` while Toss's answer is unknown."""
    result = await service.confirm(user, body)
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
    return await service.cancel(admin, orderId, body)


@router.post("/{orderId}/sync", response_model=PaymentView)
async def sync(orderId: str, admin: AdminUser, service: Payments) -> PaymentView:  # noqa: N803
    """Re-read the payment at Toss and apply it (reconciliation by hand)."""
    return await service.settle(orderId, EventSource.ADMIN)
