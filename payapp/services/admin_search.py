"""The admin list's text search ``q`` as SQL: orderId / paymentKey start with it (exact case:
they are identifiers; btree ``text_pattern_ops``), orderName / buyer email contain it (any case;
GIN trigram). Buyers are matched by email first (a short id list), so every arm of the OR can
use an index; ``row_by_row`` shapes the same test for a walk that evaluates it on every row.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col

from payapp.models import Payment, User

# Buyers matching the text are passed on as an id array (PostgreSQL hashes a long ``= ANY``);
# beyond this many, a subquery (a common term: the list finds a page of matches quickly).
MAX_BUYER_IDS = 20_000


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _starts_with(session: Session, column: Mapped[str] | Mapped[str | None], q: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":  # served by the text_pattern_ops index
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(escaped + "%")  # PostgreSQL's default LIKE escape is the backslash
    return sa.func.substr(column, 1, len(q)) == q  # SQLite's LIKE ignores ASCII case


def buyers_matching(q: str) -> Select[int | None]:
    """The ids of the buyers whose email contains ``q`` (any case; LIKE when ``q`` has none)."""
    email = col(User.email)
    cased = q.lower() != q.upper()
    return sa.select(col(User.id)).where(
        email.ilike(_like(q), escape="\\") if cased else email.like(_like(q), escape="\\")
    )


def text_condition(session: Session, q: str, *, row_by_row: bool = False) -> ColumnElement[bool]:
    """orderId / paymentKey start with ``q`` (exact case: they are identifiers); orderName /
    buyer email contain it (any case).

    The cheap tests come first (PostgreSQL evaluates an OR's arms in order), and a ``q`` without
    upper/lower case (Korean, digits) is matched with LIKE: ILIKE lowercases every row's text,
    twice the cost when a walk over the created_at index tests it row by row. ``row_by_row``
    (the stats' sample does that walk): buyers as a hashed subquery, not thousands of ids to plan.
    """
    pattern = _like(q)
    cased = q.lower() != q.upper()
    buyers = buyers_matching(q)
    ids = [] if row_by_row or not q else list(session.execute(buyers.limit(MAX_BUYER_IDS + 1)).scalars())
    buyer_cond: ColumnElement[bool]
    if row_by_row or len(ids) > MAX_BUYER_IDS:
        buyer_cond = col(Payment.user_id).in_(buyers)
    elif ids:
        buyer_cond = col(Payment.user_id).in_(ids)
    else:
        buyer_cond = sa.false()
    name = col(Payment.order_name)
    name_cond = name.ilike(pattern, escape="\\") if cased else name.like(pattern, escape="\\")
    if row_by_row and cased and q.isascii() and session.get_bind().dialect.name == "postgresql":
        # Only ASCII letters can match an ASCII q, and lower() in the "C" collation folds just
        # those, byte by byte: as cheap as LIKE, where ILIKE lowercases all of the UTF-8 text
        # (a third of the walk's time for 'naver'). No index is used in a walk anyway.
        name_cond = sa.func.lower(name.collate("C")).like(_like(q.lower()), escape="\\")
    return sa.or_(
        _starts_with(session, col(Payment.order_id), q),
        _starts_with(session, col(Payment.payment_key), q),
        buyer_cond,
        name_cond,
    )
