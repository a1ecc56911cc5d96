"""The two statements behind a text query's stats (``admin_stats.sampled``): the matches grouped
by KST day and status, either gathered in any order through the search indexes (complete when
at most ``sample`` match) or the newest ``sample`` of them, walked down the created_at index.
Each answers (day, status, count, balance sum, oldest created_at, rows seen).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from payapp.models import Payment

from .admin_query import AdminFilters, conditions, kst_day


def _grouped(matches: sa.CTE, sample: int | None) -> sa.Select[Any]:
    """(day, status, count, balance sum, oldest created_at, rows in ``matches``) per (day, status)
    of ``matches``, only its first ``sample`` by ``rn`` when given."""
    seen = sa.select(sa.func.count()).select_from(matches).scalar_subquery()
    stmt = sa.select(
        matches.c.day,
        matches.c.status,
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(matches.c.balance), 0),
        sa.func.min(matches.c.created_at),
        seen,
    )
    if sample is not None:
        stmt = stmt.where(matches.c.rn <= sample)
    return stmt.group_by(matches.c.day, matches.c.status)


def _columns(session: Session) -> list[sa.ColumnElement[Any]]:
    return [
        kst_day(session).label("day"),
        col(Payment.status).label("status"),
        col(Payment.balance_amount).label("balance"),
        col(Payment.created_at).label("created_at"),
    ]


def gather_query(session: Session, filters: AdminFilters, sample: int) -> sa.Select[Any]:
    """The grouped matches of the filter without its status part, in any order, stopping at
    ``sample + 1``: a rare term is gathered through its indexes (trigram, prefix, buyer ids), a
    common one read until enough match. Complete (exact) when it counts at most ``sample``."""
    hits = (
        sa.select(*_columns(session)).where(*conditions(session, filters, statuses=False)).limit(sample + 1).cte("hits")
    )
    return _grouped(hits, None)


def sample_query(session: Session, filters: AdminFilters, sample: int) -> sa.Select[Any]:
    """The grouped newest ``sample`` matches of the filter without its status part.

    The CTE reads ``sample + 1`` matches newest first (the created_at index, filtered row by row:
    a common term finds them within a few tens of thousands of rows); the extra one only tells
    that more match.
    """
    created, ident = col(Payment.created_at), col(Payment.id)
    newest = (
        sa.select(*_columns(session), sa.func.row_number().over(order_by=(created.desc(), ident.desc())).label("rn"))
        .where(*conditions(session, filters, statuses=False, row_by_row=True))
        .order_by(created.desc(), ident.desc())
        .limit(sample + 1)
        .cte("newest")
    )
    return _grouped(newest, sample)
