"""The sweep: every unsettled payment is asked about at Toss until Toss settles it.

Money rules here:
- nothing waits for a buyer or an operator to look: an IN_PROGRESS (or WAITING_FOR_DEPOSIT)
  payment older than ``min_age`` is settled through ``settle`` (same lock, same transitions),
  and a refund left unanswered is finished with its own key;
- a payment Toss can't tell us about is asked again later, backing off per payment, and one
  still unknown after ``alert_after`` is logged at ERROR and counted for the admin banner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import and_, func, or_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from payapp.db import run_db
from payapp.models import EventSource, Payment, PaymentStatus, Refund, RefundStatus, utcnow
from payapp.schemas import KST

from ..rows import saved_id
from .apply import UNSETTLED
from .base import log
from .refund import RefundJob
from .settle import SettleJob

SWEEP_BATCH = 200


@dataclass
class SweepPolicy:
    min_age: float = 30.0  # seconds before a payment is first asked about (a live confirm is done by then)
    first_backoff: float = 10.0
    max_backoff: float = 300.0
    alert_after: float = 900.0
    # A 가상계좌 waits days for its deposit (DEPOSIT_CALLBACK tells us at once): asked rarely.
    deposit_every: float = 600.0


@dataclass
class SweepReport:
    checked: int = 0
    settled: list[str] = field(default_factory=list)  # "orderId: IN_PROGRESS → DONE"
    unknown: list[str] = field(default_factory=list)
    refunds: int = 0


def backoff(failures: int, policy: SweepPolicy) -> float:
    factor: int = 2 ** max(failures - 1, 0)  # a power of two: typeshed calls int ** int Any
    return min(policy.first_backoff * factor, policy.max_backoff)


def due_payments(session: Session, now: datetime, policy: SweepPolicy) -> list[Payment]:
    return list(
        session.exec(
            select(Payment)
            .where(
                col(Payment.status).in_(UNSETTLED),
                Payment.created_at <= now - timedelta(seconds=policy.min_age),
                or_(col(Payment.next_check_at).is_(None), col(Payment.next_check_at) <= now),
            )
            .order_by(func.coalesce(Payment.next_check_at, Payment.created_at))
            .limit(SWEEP_BATCH)
        )
    )


def stuck_condition(alert_after: float, now: datetime | None = None) -> ColumnElement[bool]:
    """ "확인이 필요한 결제": IN_PROGRESS and created ``alert_after`` seconds ago or more, or a
    WAITING_FOR_DEPOSIT whose due date passed ``alert_after`` ago (waiting until then is normal).

    Toss writes every dueDate in KST (+09:00), so the stored ISO strings compare as times.
    """
    now = now or utcnow()
    since = now - timedelta(seconds=alert_after)
    due = col(Payment.raw)[("virtualAccount", "dueDate")].as_string()
    return or_(
        and_(col(Payment.status) == PaymentStatus.IN_PROGRESS, col(Payment.created_at) <= since),
        and_(
            col(Payment.status) == PaymentStatus.WAITING_FOR_DEPOSIT,
            col(Payment.created_at) <= since,
            due <= since.astimezone(KST).isoformat(timespec="seconds"),
        ),
    )


def stuck_count(session: Session, alert_after: float) -> int:
    """How many payments ``stuck_condition`` holds for: the admin banner's N."""
    return session.exec(select(func.count()).select_from(Payment).where(stuck_condition(alert_after))).one()


class ReconcileJob(SettleJob, RefundJob):
    async def sweep(self, policy: SweepPolicy, keep_going: Callable[[], bool] = lambda: True) -> SweepReport:
        """One pass over every unsettled payment (and unanswered refund) that is due."""
        report, now = SweepReport(), utcnow()
        for payment in await run_db(lambda s: due_payments(s, now, policy)):
            if not keep_going():
                return report
            view = await self.settle(payment.order_id, EventSource.RECONCILE)
            report.checked += 1
            if view.status not in UNSETTLED:
                report.settled.append(f"{payment.order_id}: {payment.status} → {view.status}")
                continue
            if view.status == PaymentStatus.WAITING_FOR_DEPOSIT and view.checkedAt and view.checkedAt >= now:
                # Toss answered: the account waits for its deposit, a normal state for days.
                deposit_due = now + timedelta(seconds=policy.deposit_every)
                await run_db(partial(_schedule, payment_id=saved_id(payment), failures=0, at=deposit_due))
                continue
            report.unknown.append(payment.order_id)
            failures = payment.check_failures + 1
            retry_at = now + timedelta(seconds=backoff(failures, policy))
            await run_db(partial(_schedule, payment_id=saved_id(payment), failures=failures, at=retry_at))
            age = (now - payment.created_at).total_seconds()
            if age >= policy.alert_after:
                log.error(
                    "payment %s is still %s after %d min: Toss could not tell us what became of it",
                    payment.order_id,
                    view.status,
                    age // 60,
                )
        since = now - timedelta(seconds=policy.min_age)
        orders = await run_db(
            lambda s: list(
                s.exec(
                    select(Payment.order_id)
                    .join(Refund, col(Refund.payment_id) == col(Payment.id))
                    .where(Refund.status == RefundStatus.REQUESTED, Refund.created_at <= since)
                    .distinct()
                )
            )
        )
        for order_id in orders:
            if keep_going() and await self.finish_unanswered_refund(order_id):
                report.refunds += 1
        return report


def _schedule(session: Session, payment_id: int, failures: int, at: datetime) -> None:
    payment = session.get(Payment, payment_id)
    if payment is not None and payment.status in UNSETTLED:
        payment.check_failures, payment.next_check_at = failures, at
        session.add(payment)
        session.commit()
