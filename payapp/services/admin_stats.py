"""The admin dashboard's numbers (``stats``): counts by status and revenue for today / the last
7 days / the filter, the status chips' facet counts, and a daily series.

Without a text query they come from the ``payment_daily`` rollup (payapp/services/rollup.py):
a few rows per day, so the cost does not grow with the number of payments (1.3 s → a few ms
at a million rows). A text query (or ``attention``: an age, not a day) cannot be rolled up: then
the filter's numbers come from the matching payments, at most ``SAMPLE`` of them. Up to
``SAMPLE`` matches they are exact (gathered through the search indexes); beyond, they count the
newest ``SAMPLE`` matches (a walk down the created_at index) and say so (``approximate``,
``sampleSize``, ``sampledSince``), as the list caps its count: a common term matches a third of
the table, and aggregating all of it took 2.1 s at a million rows.
Today and the last 7 days are the whole shop's, from the rollup, in every case.
The rollup and a recomputation agree (tests/admin/test_stats_rollup.py, test_stats_sample.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col

from payapp.db import run_db
from payapp.models import Payment, PaymentStatus
from payapp.schemas import in_kst

from . import rollup
from .admin_query import (
    REVENUE_STATUSES,
    AdminFilters,
    capped_count_query,
    conditions,
    kst_today,
)
from .admin_sample import gather_query, sample_query
from .admin_search import buyers_matching

DEFAULT_CHART_DAYS = 30
MAX_CHART_DAYS = 366  # a longer filter charts its last 366 days (``dailyTruncated``); the totals stay whole
# A text query's stats cover at most this many matches, the newest. Half the list's COUNT_CAP: the
# walk's time grows with it, and 5,000 keeps a common term ('naver', a third of the buyers) under
# 100 ms of server time at a million payments (bench/admin_list.py; 10,000 took ~165 ms).
SAMPLE = 5_000


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass
class Window:
    """A KST day range [first, last] for the revenue chart."""

    first: date
    last: date
    days: list[date] = field(init=False)

    def __post_init__(self) -> None:
        self.days = [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


class DailyRevenue(BaseModel):
    date: date  # a KST day
    revenue: int
    count: int  # payments created that day matching the filter, any status


class Revenue(BaseModel):
    today: int
    last7Days: int  # today and the six KST days before it
    filter: int


class StatusCounts(BaseModel):
    """Payments by status (every status, 0 when none), over the same three windows as Revenue."""

    today: dict[str, int]  # every payment created today (KST), whatever the filter
    last7Days: dict[str, int]  # every payment created today and the six KST days before it
    filter: dict[str, int]  # exactly the payments the filter lists (statuses outside it: 0)


class AdminStats(BaseModel):
    """Revenue = sum of balanceAmount of DONE + PARTIAL_CANCELED payments (refunds deducted).

    Today and the last 7 days are the shop's whole numbers; "filter" is exactly the payments
    the list shows for the same filter.
    """

    byStatus: dict[str, int]  # the filter's payments by status: the same as statusCounts.filter
    statusFacets: dict[str, int]  # the filter WITHOUT its status part, by status: what each status chip would add
    statusCounts: StatusCounts  # by status for today / last 7 days / the filter
    count: int  # number of payments matching the whole filter (approximate: among the sample)
    revenue: Revenue
    daily: list[DailyRevenue]  # the filter's days, or the last 30 days when it has no range
    dailyTruncated: bool = False  # the filter spans more than MAX_CHART_DAYS: daily is its last ones
    # A text query matching more than SAMPLE payments (its status part aside): the filter's numbers
    # (byStatus, statusFacets, statusCounts.filter, count, revenue.filter, daily) count only the
    # newest sampleSize matches, created since sampledSince (KST). Today / last 7 days stay whole.
    approximate: bool = False
    sampleSize: int | None = None
    sampledSince: datetime | None = None


def _zeros() -> dict[str, int]:
    return {s: 0 for s in PaymentStatus}


def _assemble(
    filters: AdminFilters,
    facets: dict[str, int],
    filter_revenue: int,
    today: date,
    week: dict[tuple[date, str], tuple[int, int]],
    daily: list[DailyRevenue],
) -> AdminStats:
    """AdminStats from the facet counts and the last 7 days' (day, status) → (count, balance) cells."""
    by_status = {s: n if not filters.statuses or s in filters.statuses else 0 for s, n in facets.items()}
    today_counts, week_counts = _zeros(), _zeros()
    revenue_today = revenue_week = 0
    for (d, s), (n, b) in week.items():
        week_counts[s] = week_counts.get(s, 0) + n
        revenue_week += b if s in REVENUE_STATUSES else 0
        if d == today:
            today_counts[s] = today_counts.get(s, 0) + n
            revenue_today += b if s in REVENUE_STATUSES else 0
    return AdminStats(
        byStatus=by_status,
        statusFacets=facets,
        statusCounts=StatusCounts(today=today_counts, last7Days=week_counts, filter=dict(by_status)),
        count=sum(by_status.values()),
        revenue=Revenue(today=revenue_today, last7Days=revenue_week, filter=filter_revenue),
        daily=daily,
    )


async def stats(filters: AdminFilters, today: date | None = None, sample: int = SAMPLE) -> AdminStats:
    """Counts by status and revenue for today / the last 7 KST days / the filter, facet counts
    for the status chips, and a daily series.

    Without a text query (or ``attention``) the numbers come from the ``payment_daily`` rollup
    (a few rows per day, constant time in the number of payments); with one, from the newest
    ``sample`` matching payments: exact when no more match, else ``approximate``.
    """
    today = today or kst_today()
    window = _chart_window(filters, today)
    result = await run_db(
        lambda s: (
            sampled(s, filters, today, window, sample)
            if filters.q or filters.attention
            else _rolled_up(s, filters, today, window)
        )
    )
    result.dailyTruncated = filters.date_from is not None and window.first > filters.date_from
    return result


def _rolled_up(session: Session, filters: AdminFilters, today: date, window: Window) -> AdminStats:
    chosen = filters.statuses or tuple(PaymentStatus)
    earning = [s for s in REVENUE_STATUSES if s in chosen]
    totals = rollup.totals(session, filters.date_from, filters.date_to)
    facets = _zeros()
    facets.update({s: n for s, (n, _) in totals.items() if n})
    week_first = today - timedelta(days=6)
    cells = rollup.cells(session, [(window.first, window.last), (week_first, today)])

    per_day: dict[date, list[int]] = {}  # day → [revenue, count] of the filter's statuses
    for (d, s), (n, b) in cells.items():
        if window.first <= d <= window.last and (not filters.statuses or s in filters.statuses):
            point = per_day.setdefault(d, [0, 0])
            point[0] += b if s in earning else 0
            point[1] += n

    return _assemble(
        filters,
        facets,
        sum(totals.get(s, (0, 0))[1] for s in earning),
        today,
        {k: v for k, v in cells.items() if week_first <= k[0] <= today},
        [DailyRevenue(date=d, revenue=per_day.get(d, [0, 0])[0], count=per_day.get(d, [0, 0])[1]) for d in window.days],
    )


Cells = dict[tuple[date, str], tuple[int, int]]  # (KST day, status) → (count, balance sum)


def _from_cells(filters: AdminFilters, facet_cells: Cells, today: date, window: Window, week: Cells) -> AdminStats:
    """AdminStats from the (day, status) cells of the filter without its status part."""
    chosen = filters.statuses or tuple(PaymentStatus)
    earning = [s for s in REVENUE_STATUSES if s in chosen]
    facets, filter_revenue = _zeros(), 0
    per_day: dict[date, list[int]] = {}  # day → [revenue, count] of the filter's statuses
    for (d, s), (n, b) in facet_cells.items():
        facets[s] = facets.get(s, 0) + n
        filter_revenue += b if s in earning else 0
        if window.first <= d <= window.last and s in chosen:
            point = per_day.setdefault(d, [0, 0])
            point[0] += b if s in earning else 0
            point[1] += n
    return _assemble(
        filters,
        facets,
        filter_revenue,
        today,
        week,
        [DailyRevenue(date=d, revenue=per_day.get(d, [0, 0])[0], count=per_day.get(d, [0, 0])[1]) for d in window.days],
    )


def sampled(session: Session, filters: AdminFilters, today: date, window: Window, sample: int = SAMPLE) -> AdminStats:
    """The filter's numbers from its matches when at most ``sample`` match (exact), else from the
    newest ``sample`` (approximate); today and the last 7 days from the rollup (the whole shop's)."""
    # The buyers' payments alone, counted through (user_id, created_at), can show cheaply that more
    # than ``sample`` match ('naver': 7,000 buyers); else gathering the matches tells.
    rest = conditions(session, replace(filters, q="", statuses=()))  # the date range, attention
    buyers = [col(Payment.user_id).in_(buyers_matching(filters.q)), *rest] if filters.q else []
    many = bool(buyers) and session.execute(capped_count_query(buyers, sample)).scalar_one() > sample
    rows = [] if many else list(session.execute(gather_query(session, filters, sample)).all())
    if many or (rows and rows[0][5] > sample):
        rows = list(session.execute(sample_query(session, filters, sample)).all())
    approximate = bool(rows) and rows[0][5] > sample
    cells: Cells = {(as_date(d), s): (int(n), int(b)) for d, s, n, b, _, _ in rows}
    week_first = today - timedelta(days=6)
    week = rollup.cells(session, [(week_first, today)])
    result = _from_cells(filters, cells, today, window, week)
    if approximate:
        oldest = min(r[4] for r in rows)
        result.approximate, result.sampleSize, result.sampledSince = True, sample, in_kst(oldest)
    return result


def _chart_window(filters: AdminFilters, today: date) -> Window:
    last = filters.date_to or max(today, filters.date_from or today)
    first = filters.date_from or last - timedelta(days=DEFAULT_CHART_DAYS - 1)
    return Window(max(first, last - timedelta(days=MAX_CHART_DAYS - 1)), last)
