"""거래 대사: compare Toss's ``GET /v1/transactions`` with our rows, and apply what we missed.

Money rules here:
- Toss's transactions are the record of what money moved: an approval we hold as unsettled, or
  a cancel made in Toss's dashboard, is applied by ``settle`` (a fresh read of the payment, the
  order lock, the transition table), never from the transaction row itself;
- what a fresh read cannot explain (a payment we have no row for, an amount that differs, a
  move the transition table refuses) is recorded as drift for an operator, never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from payapp.db import run_db
from payapp.models import EventSource, Payment, PaymentStatus, ReconcileDrift, utcnow
from payapp.toss import TossTransaction

from ..rows import saved_id
from .apply import CANCELED_STATES, cancel_keys
from .base import log
from .reconcile import ReconcileJob

APPROVED = frozenset({PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED, PaymentStatus.CANCELED})
PAGE = 5000


@dataclass
class TransactionsReport:
    transactions: int = 0
    applied: list[str] = field(default_factory=list)  # what was (or, dry, would be) applied
    drift: list[str] = field(default_factory=list)


def unexplained(payment: Payment, tx: TossTransaction) -> str | None:
    """What ``tx`` says that ``payment`` does not show; None when the row reflects it."""
    if tx.status in CANCELED_STATES:
        return None if tx.transactionKey in cancel_keys(payment.raw) else f"cancel {tx.amount:,}원 at Toss"
    if tx.status == PaymentStatus.DONE and payment.status not in APPROVED:
        return f"approved at Toss, {payment.status} here"
    if tx.status == PaymentStatus.DONE and tx.amount != payment.amount:
        return f"approved {tx.amount:,}원 at Toss, {payment.amount:,}원 here"
    return None


def _payment_of(session: Session, tx: TossTransaction) -> Payment | None:
    return session.exec(
        select(Payment).where((col(Payment.payment_key) == tx.paymentKey) | (col(Payment.order_id) == tx.orderId))
    ).first()


def record_drift(session: Session, tx: TossTransaction, kind: str, detail: dict[str, Any]) -> None:
    """Remember what could not be explained (once per Toss transaction)."""
    session.add(
        ReconcileDrift(
            transaction_key=tx.transactionKey, order_id=tx.orderId, payment_key=tx.paymentKey, kind=kind, detail=detail
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()


def resolve_drift(session: Session, transaction_key: str) -> None:
    drift = session.exec(
        select(ReconcileDrift).where(
            ReconcileDrift.transaction_key == transaction_key, col(ReconcileDrift.resolved_at).is_(None)
        )
    ).first()
    if drift is not None:
        drift.resolved_at = utcnow()
        session.add(drift)
        session.commit()


class TransactionsJob(ReconcileJob):
    async def reconcile_transactions(
        self, start: datetime, end: datetime, dry_run: bool = False, keep_going: Callable[[], bool] = lambda: True
    ) -> TransactionsReport:
        """One 거래 대사 pass over Toss's transactions between ``start`` and ``end``."""
        report = TransactionsReport()
        cursor: str | None = None
        while keep_going():
            page = await self.toss.transactions(start, end, starting_after=cursor, limit=PAGE)
            for tx in page:
                report.transactions += 1
                if keep_going():
                    await self._check(tx, report, dry_run)
            if len(page) < PAGE:
                break
            cursor = page[-1].transactionKey
        return report

    async def _check(self, tx: TossTransaction, report: TransactionsReport, dry_run: bool) -> None:
        payment = await run_db(lambda s: _payment_of(s, tx))
        if payment is None:
            report.drift.append(f"{tx.orderId}: {tx.status} {tx.amount:,}원 at Toss, no payment here")
            if not dry_run:
                await run_db(lambda s: record_drift(s, tx, "UNKNOWN_PAYMENT", tx.model_dump(mode="json")))
            return
        gap = unexplained(payment, tx)
        if gap is None:
            if not dry_run:
                await run_db(lambda s: resolve_drift(s, tx.transactionKey))
            return
        if dry_run:
            report.applied.append(f"{payment.order_id}: {gap} (would settle)")
            return
        view = await self.settle(payment.order_id, EventSource.RECONCILE)
        after = await run_db(lambda s: s.get_one(Payment, saved_id(payment)))
        still = unexplained(after, tx)
        if still is None:
            report.applied.append(f"{payment.order_id}: {gap} → {view.status}, balance {view.balanceAmount:,}원")
            await run_db(lambda s: resolve_drift(s, tx.transactionKey))
            return
        log.error("거래 대사: %s (%s) could not be applied: %s", payment.order_id, tx.transactionKey, still)
        report.drift.append(f"{payment.order_id}: {still}")
        await run_db(lambda s: record_drift(s, tx, "NOT_APPLIED", {"reason": still, **tx.model_dump(mode="json")}))
