"""What needs an operator's eye (no Reflex imports): payments reconciliation has not settled
within ``RECONCILE_ALERT_AFTER_SECONDS``, and Toss transactions 거래 대사 could not explain.

Called by the REST route ``GET /v1/admin/attention`` and by the admin list page alike::

    seen = await attention()    # AdminAttention: stuckCount, driftCount, drift (unresolved, newest first)
    where = stuck_condition()   # the list filter ``?attention=1`` (admin_query.conditions)

"Stuck" is the reconciler's own count (``payments.stuck_count``): an unsettled payment
(IN_PROGRESS, WAITING_FOR_DEPOSIT) created longer ago than the alert threshold. The list
filter uses the same rule, so the banner's number and the filtered list agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from payapp.db import run_db
from payapp.models import ReconcileDrift
from payapp.schemas import in_kst
from payapp.settings import get_settings

from . import payments

DRIFT_SHOWN = 20


def alert_after_seconds() -> float:
    return get_settings().reconcile_alert_after_seconds


def stuck_condition(now: datetime | None = None) -> ColumnElement[bool]:
    """Unsettled and created at least the alert threshold ago: the payments the banner counts."""
    return payments.stuck_condition(alert_after_seconds(), now)


class DriftView(BaseModel):
    """A Toss transaction 거래 대사 could not explain with our rows. Times in Asia/Seoul."""

    transactionKey: str
    orderId: str | None
    paymentKey: str | None
    kind: str  # UNKNOWN_PAYMENT (no payment here) | NOT_APPLIED (a settle could not bring ours in line)
    detail: dict[str, Any]
    foundAt: datetime


class AdminAttention(BaseModel):
    stuckCount: int  # unsettled payments older than alertAfterSeconds (the list's ?attention=1)
    alertAfterSeconds: float
    driftCount: int  # unresolved drift, all of it
    drift: list[DriftView]  # the newest unresolved ones (at most DRIFT_SHOWN)


async def attention(limit: int = DRIFT_SHOWN) -> AdminAttention:
    """The stuck-payment count and the unresolved 거래 대사 drift."""
    threshold = alert_after_seconds()

    def work(session: Session) -> AdminAttention:
        unresolved = col(ReconcileDrift.resolved_at).is_(None)
        count = session.exec(select(sa.func.count()).select_from(ReconcileDrift).where(unresolved)).one()
        rows = session.exec(
            select(ReconcileDrift)
            .where(unresolved)
            .order_by(col(ReconcileDrift.found_at).desc(), col(ReconcileDrift.id).desc())
            .limit(limit)
        )
        return AdminAttention(
            stuckCount=payments.stuck_count(session, threshold),
            alertAfterSeconds=threshold,
            driftCount=count,
            drift=[
                DriftView(
                    transactionKey=d.transaction_key,
                    orderId=d.order_id,
                    paymentKey=d.payment_key,
                    kind=d.kind,
                    detail=d.detail or {},
                    foundAt=in_kst(d.found_at),
                )
                for d in rows
            ],
        )

    return await run_db(work)
