"""Admin REST API: the payments list, its CSV, stats, one payment, refunds and Toss sync.

Every route here depends on ``AdminUser`` (401 without a token, 403 for a customer);
tests/admin/test_route_guards.py enumerates the app's /v1/admin routes to prove it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from payapp.api.deps import AdminUser, Payments
from payapp.api.routes.payments import CancelIn
from payapp.models import EventSource
from payapp.schemas import PaymentView
from payapp.services import admin
from payapp.services.admin import AdminFilters, AdminPaymentDetail, AdminPaymentPage, AdminStats

router = APIRouter(prefix="/v1/admin", tags=["admin"])


def _filters(request: Request) -> AdminFilters:
    """status may repeat (?status=DONE&status=CANCELED) or be comma-separated."""
    params = request.query_params
    return AdminFilters.from_query({"status": params.getlist("status"), "from": params.get("from"),
                                    "to": params.get("to"), "q": params.get("q")})


@router.get("/payments", response_model=AdminPaymentPage)
async def list_payments(request: Request, user: AdminUser) -> AdminPaymentPage:
    """?status=&from=&to=&q=&cursor=&limit= → {data, nextCursor, count, countCapped}."""
    params = request.query_params
    return await admin.list_payments(_filters(request), params.get("cursor"), params.get("limit"))


@router.get("/payments.csv")
async def export_csv(request: Request, user: AdminUser) -> StreamingResponse:
    """The current filter as CSV (UTF-8 with BOM, for Excel), streamed batch by batch."""
    filters = _filters(request)
    return StreamingResponse(admin.csv_stream(filters), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{admin.csv_filename(filters)}"',
        "Cache-Control": "no-store"})


@router.get("/stats", response_model=AdminStats)
async def stats(request: Request, user: AdminUser) -> AdminStats:
    return await admin.stats(_filters(request))


@router.get("/payments/{orderId}", response_model=AdminPaymentDetail)
async def payment_detail(orderId: str, user: AdminUser) -> AdminPaymentDetail:  # noqa: N803
    return await admin.payment_detail(orderId)


@router.post("/payments/{orderId}/cancel", response_model=PaymentView)
async def cancel(orderId: str, body: CancelIn, user: AdminUser, service: Payments) -> PaymentView:  # noqa: N803
    """Full refund without cancelAmount, partial with it (never beyond the balance)."""
    return await service.cancel(user, orderId, body.cancelReason, body.cancelAmount)


@router.post("/payments/{orderId}/sync", response_model=PaymentView)
async def sync(orderId: str, user: AdminUser, service: Payments) -> PaymentView:  # noqa: N803
    """"Toss와 동기화": re-read the payment at Toss and apply it through the transition table."""
    return await service.settle(orderId, EventSource.ADMIN)
