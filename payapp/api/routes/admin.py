"""Admin REST API: the payments list, its CSV, stats, one payment, refunds, Toss sync, and what
needs attention (stuck payments, 거래 대사 drift).

Every route here depends on ``AdminUser`` (401 without a token, 403 for a customer);
tests/admin/test_route_guards.py enumerates the app's /v1/admin routes to prove it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from payapp.api.deps import AdminOrTicket, AdminUser
from payapp.api.routes import payments
from payapp.schemas import PaymentView
from payapp.services import admin
from payapp.services.admin import AdminAttention, AdminFilters, AdminPaymentDetail, AdminPaymentPage, AdminStats

router = APIRouter(prefix="/v1/admin", tags=["admin"])


def _filters(request: Request) -> AdminFilters:
    """status may repeat (?status=DONE&status=CANCELED) or be comma-separated; attention=1 keeps
    only payments still unsettled past RECONCILE_ALERT_AFTER_SECONDS."""
    params = request.query_params
    return AdminFilters.from_query({"status": params.getlist("status"), "from": params.get("from"),
                                    "to": params.get("to"), "q": params.get("q"),
                                    "attention": params.get("attention")})


@router.get("/payments", response_model=AdminPaymentPage)
async def list_payments(request: Request, user: AdminUser) -> AdminPaymentPage:
    """?status=&from=&to=&q=&attention=&cursor=&limit= → {data, nextCursor, count, countCapped}."""
    params = request.query_params
    return await admin.list_payments(_filters(request), params.get("cursor"), params.get("limit"))


@router.get("/payments.csv")
async def export_csv(request: Request, user: AdminOrTicket) -> StreamingResponse:
    """The current filter as CSV (UTF-8 with BOM, for Excel), streamed batch by batch.

    Besides a Bearer token it takes ``?ticket=`` from the admin page (a one-time, 60-second
    ticket), since a browser download cannot send an Authorization header.
    """
    filters = _filters(request)
    return StreamingResponse(admin.csv_stream(filters), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{admin.csv_filename(filters)}"',
        "Cache-Control": "no-store"})


@router.get("/stats", response_model=AdminStats)
async def stats(request: Request, user: AdminUser) -> AdminStats:
    """?status=&from=&to=&q= → revenue and statusCounts for today / last7Days / the filter,
    byStatus (the filter's own), statusFacets (the filter without its status part), count, daily."""
    return await admin.stats(_filters(request))


@router.get("/attention", response_model=AdminAttention)
async def attention(user: AdminUser) -> AdminAttention:
    """{stuckCount, alertAfterSeconds, driftCount, drift}: payments reconciliation has not settled
    in time (listed by /payments?attention=1) and unresolved 거래 대사 drift, newest first."""
    return await admin.attention()


@router.get("/payments/{orderId}", response_model=AdminPaymentDetail)
async def payment_detail(orderId: str, user: AdminUser) -> AdminPaymentDetail:  # noqa: N803
    return await admin.payment_detail(orderId)


# The same handlers as /v1/payments/{orderId}/cancel and /sync, under the admin prefix too.
router.add_api_route("/payments/{orderId}/cancel", payments.cancel, methods=["POST"], response_model=PaymentView)
router.add_api_route("/payments/{orderId}/sync", payments.sync, methods=["POST"], response_model=PaymentView)
