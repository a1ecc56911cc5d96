"""The admin stats as ``payapp/services/admin_stats.py`` computed them before the ``payment_daily``
rollup and the text-query sample: every matching payment scanned, exactly. ``bench/admin_list.py``
times it against the service and checks that both agree where they should.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from payapp.models import Payment, PaymentStatus
from payapp.services.admin_query import REVENUE_STATUSES, AdminFilters, conditions, kst_day, kst_midnight
from payapp.services.admin_stats import AdminStats, DailyRevenue, Window, _assemble, _zeros, as_date


def scanned(session: Session, filters: AdminFilters, today: date, window: Window) -> AdminStats:
    day = kst_day(session).label("day")
    week_first = today - timedelta(days=6)
    # Today and the last 7 days are the whole shop's (no filter): one grouped scan of 7 days.
    week = {
        (as_date(d), s): (int(n), int(b))
        for d, s, n, b in session.execute(
            sa.select(
                day, col(Payment.status), sa.func.count(), sa.func.coalesce(sa.func.sum(col(Payment.balance_amount)), 0)
            )
            .where(
                col(Payment.created_at) >= kst_midnight(week_first),
                col(Payment.created_at) < kst_midnight(today + timedelta(days=1)),
            )
            .group_by(day, col(Payment.status))
        ).all()
    }

    facet = conditions(session, filters, statuses=False)
    facets = _zeros()
    facets.update(
        dict(
            session.execute(
                sa.select(col(Payment.status), sa.func.count()).where(*facet).group_by(col(Payment.status))
            ).all()
        )
    )
    chosen = filters.statuses or tuple(PaymentStatus)
    where = conditions(session, filters)
    earning = [s for s in REVENUE_STATUSES if s in chosen]
    filter_revenue = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(col(Payment.balance_amount)), 0)).where(
            *where, col(Payment.status).in_(earning)
        )
    ).scalar_one()
    is_revenue = col(Payment.status).in_(earning) if earning else sa.false()
    series = session.execute(
        sa.select(
            day,
            sa.func.coalesce(sa.func.sum(sa.case((is_revenue, col(Payment.balance_amount)), else_=0)), 0),
            sa.func.count(),
        )
        .where(
            *where,
            col(Payment.created_at) >= kst_midnight(window.first),
            col(Payment.created_at) < kst_midnight(window.last + timedelta(days=1)),
        )
        .group_by(day)
    ).all()
    per_day = {as_date(d): (int(rev), int(n)) for d, rev, n in series}
    return _assemble(
        filters,
        facets,
        int(filter_revenue),
        today,
        week,
        [DailyRevenue(date=d, revenue=per_day.get(d, (0, 0))[0], count=per_day.get(d, (0, 0))[1]) for d in window.days],
    )
