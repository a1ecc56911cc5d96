"""Admin REST API: the payments list, its CSV, stats, one payment, refunds, Toss sync, and what
needs attention (stuck payments, 거래 대사 drift).

Every route here depends on ``AdminUser`` (401 without a token, 403 for a customer);
tests/admin/test_route_guards.py enumerates the app's /v1/admin routes to prove it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from payapp.api.deps import AdminOrTicket, AdminUser
from payapp.api.routes import payments
from payapp.models import PaymentStatus
from payapp.schemas import PaymentView
from payapp.services import admin
from payapp.services.admin import AdminAttention, AdminFilters, AdminPaymentDetail, AdminPaymentPage, AdminStats

router = APIRouter(prefix="/v1/admin", tags=["admin"])

# The filter's query parameters are declared (so /openapi.json documents them) but read as text:
# AdminFilters.from_query checks them, with the same messages as the admin page's URL gets.
# The formats below are documentation (json_schema_extra), not a second validation.
STATUSES = [s.value for s in PaymentStatus]


async def _filters(
    status: Annotated[
        list[str] | None,
        Query(
            description="결제 상태, 여러 개면 반복하거나 쉼표로 (?status=DONE&status=CANCELED, ?status=DONE,CANCELED)",
            json_schema_extra={"items": {"type": "string", "enum": STATUSES}},
        ),
    ] = None,
    date_from: Annotated[
        str | None,
        Query(alias="from", description="KST 날짜 YYYY-MM-DD (그날 포함)", json_schema_extra={"format": "date"}),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(alias="to", description="KST 날짜 YYYY-MM-DD (그날 포함)", json_schema_extra={"format": "date"}),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            description="orderId/paymentKey 앞부분, 상품명·구매자 이메일의 일부", json_schema_extra={"maxLength": 100}
        ),
    ] = None,
    attention: Annotated[
        str | None,
        Query(description="1: 정산 확인이 늦어진 결제만", json_schema_extra={"enum": ["0", "1", "false", "true"]}),
    ] = None,
) -> AdminFilters:
    """status may repeat (?status=DONE&status=CANCELED) or be comma-separated; attention=1 keeps
    only payments still unsettled past RECONCILE_ALERT_AFTER_SECONDS."""
    return AdminFilters.from_query(
        {"status": status or [], "from": date_from, "to": date_to, "q": q, "attention": attention}
    )


# Declared after the user in each route: the guard answers (401/403) before a bad filter's 400.
Filters = Annotated[AdminFilters, Depends(_filters)]


@router.get("/payments", response_model=AdminPaymentPage)
async def list_payments(
    user: AdminUser,
    filters: Filters,
    cursor: Annotated[str | None, Query(description="앞 페이지의 nextCursor")] = None,
    limit: Annotated[int | None, Query(ge=1, description="한 페이지의 건수: 기본 50, 200을 넘으면 200")] = None,
) -> AdminPaymentPage:
    """?status=&from=&to=&q=&attention=&cursor=&limit= → {data, nextCursor, count, countCapped}."""
    return await admin.list_payments(filters, cursor, limit)


@router.get("/payments.csv")
async def export_csv(
    user: AdminOrTicket,
    filters: Filters,
    ticket: Annotated[str | None, Query(description="관리자 페이지의 1회용 다운로드 티켓 (Bearer 토큰 대신)")] = None,
) -> StreamingResponse:
    """The current filter as CSV (UTF-8 with BOM, for Excel), streamed batch by batch.

    Besides a Bearer token it takes ``?ticket=`` from the admin page (a one-time, 60-second
    ticket), since a browser download cannot send an Authorization header.
    """
    return StreamingResponse(
        admin.csv_stream(filters),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{admin.csv_filename(filters)}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/stats", response_model=AdminStats)
async def stats(user: AdminUser, filters: Filters) -> AdminStats:
    """?status=&from=&to=&q= → revenue and statusCounts for today / last7Days / the filter,
    byStatus (the filter's own), statusFacets (the filter without its status part), count, daily;
    approximate (with sampleSize, sampledSince): q matched more than 10,000 payments, and the
    filter's numbers count the newest 10,000."""
    return await admin.stats(filters)


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
