"""What the admin payments list shows, computed from the services' answers: pure functions and
constants, no state. ``AdminListState`` (payapp/state/admin.py) assigns their results."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from payapp import routes
from payapp.formatting import kst_text, status_color, status_label, won
from payapp.models import PaymentStatus
from payapp.services import admin

STATUS_CHOICES = [
    (s.value, status_label(s.value))
    for s in PaymentStatus
    if s not in (PaymentStatus.READY, PaymentStatus.WAITING_FOR_DEPOSIT)
]


def row_of(r: admin.AdminPaymentRow) -> dict[str, str]:
    return {
        "orderId": r.orderId,
        "orderName": r.orderName,
        "buyer": r.buyerEmail,
        "amount": won(r.amount),
        "balance": won(r.balanceAmount),
        "method": r.method or "-",
        "status": r.status,
        "statusLabel": status_label(r.status),
        "statusColor": status_color(r.status),
        "approvedAt": kst_text(r.approvedAt),
        "checkedAt": kst_text(r.checkedAt),
        "href": routes.admin_payment(r.orderId),
    }


def stats_note(stats: admin.AdminStats) -> str:
    """What the page says when a text query matched too many payments for exact stats."""
    if not stats.approximate:
        return ""
    since = f", {kst_text(stats.sampledSince)[:16]} 이후" if stats.sampledSince else ""
    return (
        f"검색 결과가 많아 조회 조건의 건수·매출·차트는 최근 {stats.sampleSize or 0:,}건{since} 기준 근사치입니다 "
        "(오늘·최근 7일은 전체 결제 기준)."
    )


def list_url(query: dict[str, str]) -> str:
    """/admin/payments with the filters that are set, e.g. ``?status=DONE&q=텀블러``."""
    query = {k: v for k, v in query.items() if v}
    return routes.ADMIN_PAYMENTS + (f"?{urlencode(query)}" if query else "")


def status_count_rows(stats: admin.AdminStats) -> list[dict[str, str]]:
    """The status table: today, the last 7 days and the filter, one row per status, then 합계."""
    windows, choices = stats.statusCounts, {s for s, _ in STATUS_CHOICES}
    shown = [
        s
        for s in PaymentStatus
        if s in choices  # and any other status that has payments
        or windows.today.get(s)
        or windows.last7Days.get(s)
        or windows.filter.get(s)
    ]
    columns = {"today": windows.today, "week": windows.last7Days, "filter": windows.filter}
    return [
        *(
            {
                "status": s,
                "label": status_label(s),
                "color": status_color(s),
                **{key: f"{counts.get(s, 0):,}" for key, counts in columns.items()},
            }
            for s in shown
        ),
        {
            "status": "",
            "label": "합계",
            "color": "gray",
            **{key: f"{sum(counts.values()):,}" for key, counts in columns.items()},
        },
    ]


def stats_view(stats: admin.AdminStats) -> dict[str, Any]:
    """Every stats field of the list's state, by name."""
    return {
        "by_status": [
            {"status": s, "label": label, "count": stats.statusFacets.get(s, 0), "color": status_color(s)}
            for s, label in STATUS_CHOICES
        ],
        "status_counts": status_count_rows(stats),
        "revenue": {
            "today": won(stats.revenue.today),
            "week": won(stats.revenue.last7Days),
            "filter": won(stats.revenue.filter),
        },
        "daily": [{"day": d.date.strftime("%m-%d"), "revenue": d.revenue, "count": d.count} for d in stats.daily],
        "stats_note": stats_note(stats),
    }
