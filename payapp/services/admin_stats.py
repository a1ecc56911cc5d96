"""The admin dashboard's numbers: counts by status, revenue and a daily series (``stats``).

Without a text query they come from the ``payment_daily`` rollup (payapp/services/rollup.py):
a few rows per day, so the cost does not grow with the number of payments (1.3 s → a few ms
at a million rows). A text query cannot be rolled up: then the matching payments are scanned.
Both give the same numbers for the same payments (tests/admin/test_stats_rollup.py).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col

from payapp.db import run_db
from payapp.models import Payment, PaymentStatus

from . import rollup
from .admin_query import REVENUE_STATUSES, AdminFilters, Window, as_date, conditions, kst_day, kst_midnight, kst_today

DEFAULT_CHART_DAYS = 30


class DailyRevenue(BaseModel):
    date: date  # a KST day
    revenue: int
    count: int  # payments created that day matching the filter, any status


class Revenue(BaseModel):
    today: int
    last7Days: int  # today and the six KST days before it
    filter: int


class AdminStats(BaseModel):
    """Revenue = sum of balanceAmount of DONE + PARTIAL_CANCELED payments (refunds deducted)."""

    byStatus: dict[str, int]  # the filter without its status part (facet counts for the chips)
    count: int  # exact number of payments matching the whole filter
    revenue: Revenue
    daily: list[DailyRevenue]  # the filter's days, or the last 30 days when it has no range


async def stats(filters: AdminFilters, today: date | None = None) -> AdminStats:
    """Counts by status, revenue (today / last 7 KST days / the filter) and a daily series.

    Without a text query the numbers come from the ``payment_daily`` rollup (a few rows per
    day, constant time in the number of payments); with one, from the matching payments.
    """
    today = today or kst_today()
    window = _chart_window(filters, today)
    return await run_db(lambda s: _scanned(s, filters, today, window) if filters.q
                        else _rolled_up(s, filters, today, window))


def _rolled_up(session: Session, filters: AdminFilters, today: date, window: Window) -> AdminStats:
    chosen = filters.statuses or tuple(PaymentStatus)
    earning = [s for s in REVENUE_STATUSES if s in chosen]
    totals = rollup.totals(session, filters.date_from, filters.date_to)
    by_status = {s: 0 for s in PaymentStatus}
    by_status.update({s: n for s, (n, _) in totals.items() if n})
    week = today - timedelta(days=6)
    cells = rollup.cells(session, [(window.first, window.last), (week, today)])

    per_day: dict[date, list[int]] = {}  # day → [revenue, count] of the filter's statuses
    for (d, s), (n, b) in cells.items():
        if not filters.statuses or s in filters.statuses:
            point = per_day.setdefault(d, [0, 0])
            point[0] += b if s in earning else 0
            point[1] += n

    def revenue_between(first: date, last: date) -> int:
        return sum(b for (d, s), (_, b) in cells.items() if first <= d <= last and s in REVENUE_STATUSES)

    return AdminStats(
        byStatus=by_status, count=sum(by_status[s] for s in chosen),
        revenue=Revenue(today=revenue_between(today, today), last7Days=revenue_between(week, today),
                        filter=sum(totals.get(s, (0, 0))[1] for s in earning)),
        daily=[DailyRevenue(date=d, revenue=per_day.get(d, [0, 0])[0], count=per_day.get(d, [0, 0])[1])
               for d in window.days])


def _scanned(session: Session, filters: AdminFilters, today: date, window: Window) -> AdminStats:
    def revenue_between(first: date, last: date) -> int:
        return session.execute(sa.select(sa.func.coalesce(sa.func.sum(col(Payment.balance_amount)), 0)).where(
            col(Payment.status).in_(REVENUE_STATUSES), col(Payment.created_at) >= kst_midnight(first),
            col(Payment.created_at) < kst_midnight(last + timedelta(days=1)))).scalar_one()

    facet = conditions(session, filters, statuses=False)
    by_status = {s: 0 for s in PaymentStatus}
    by_status.update(dict(session.execute(sa.select(col(Payment.status), sa.func.count())
                                          .where(*facet).group_by(col(Payment.status))).all()))
    chosen = filters.statuses or tuple(PaymentStatus)
    where = conditions(session, filters)
    earning = [s for s in REVENUE_STATUSES if s in chosen]
    filter_revenue = session.execute(sa.select(sa.func.coalesce(sa.func.sum(col(Payment.balance_amount)), 0))
                                     .where(*where, col(Payment.status).in_(earning))).scalar_one()
    day = kst_day(session).label("day")
    is_revenue = col(Payment.status).in_(earning) if earning else sa.false()
    series = session.execute(
        sa.select(day, sa.func.coalesce(sa.func.sum(sa.case((is_revenue, col(Payment.balance_amount)), else_=0)), 0),
                  sa.func.count())
        .where(*where, col(Payment.created_at) >= kst_midnight(window.first),
               col(Payment.created_at) < kst_midnight(window.last + timedelta(days=1)))
        .group_by(day)).all()
    per_day = {as_date(d): (int(rev), int(n)) for d, rev, n in series}
    return AdminStats(
        byStatus=by_status, count=sum(by_status[s] for s in chosen),
        revenue=Revenue(today=revenue_between(today, today),
                        last7Days=revenue_between(today - timedelta(days=6), today),
                        filter=int(filter_revenue)),
        daily=[DailyRevenue(date=d, revenue=per_day.get(d, (0, 0))[0], count=per_day.get(d, (0, 0))[1])
               for d in window.days])


def _chart_window(filters: AdminFilters, today: date) -> Window:
    last = filters.date_to or max(today, filters.date_from or today)
    first = filters.date_from or last - timedelta(days=DEFAULT_CHART_DAYS - 1)
    return Window(first, last)
