"""The reconciler: started inside every app process, run by one of them at a time.

Every ``RECONCILE_INTERVAL_SECONDS`` each process tries to take the *lease*, a Redis lock
(redis-py's ``Lock``: a token per holder, compare-and-set release; already a dependency, so no
new service or library) named after the database, kept renewed while its holder lives
(payapp/store/locks.py). The holder sweeps unsettled payments and, once per
``TRANSACTIONS_PERIOD_SECONDS`` (decided from the ``reconcile_run`` table, so the schedule
survives restarts), runs 거래 대사 over the last ``TRANSACTIONS_WINDOW_HOURS``. A holder that dies
frees the lease within ``LEASE_TTL``; another process takes over. Every pass is written to
``reconcile_run`` with its holder, so "one at a time" can be checked afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from sqlmodel import Session, col, delete, select

from payapp.db import run_db
from payapp.models import ReconcileRun, utcnow
from payapp.services import webhooks
from payapp.services.payments import PaymentService, SweepPolicy, TransactionsReport
from payapp.services.wiring import payment_service
from payapp.settings import Settings, get_settings
from payapp.store.locks import held
from payapp.store.redis import get_redis

log = logging.getLogger(__name__)
LEASE_TTL = 30.0
RUNS_KEPT = timedelta(days=3)
HOLDER = f"{socket.gethostname()}:{os.getpid()}"
_started: set[int] = set()


def lease_name(settings: Settings) -> str:
    """One lease per database: deployments sharing a Redis but not a database don't share it."""
    return "payapp:reconcile-lease:" + hashlib.sha256(settings.db_url.encode()).hexdigest()[:16]


def sweep_policy(settings: Settings) -> SweepPolicy:
    return SweepPolicy(
        min_age=settings.reconcile_min_age_seconds,
        first_backoff=settings.reconcile_interval_seconds,
        max_backoff=settings.reconcile_max_backoff_seconds,
        alert_after=settings.reconcile_alert_after_seconds,
    )


def _begin(session: Session, kind: str) -> int:
    run = ReconcileRun(kind=kind, holder=HOLDER[:100])
    session.add(run)
    session.commit()
    if run.id is None:  # never: the INSERT gave it one
        raise RuntimeError("reconcile_run row has no id after its commit")
    return run.id


def _end(session: Session, run_id: int, checked: int, changed: int, drift: int = 0, error: str | None = None) -> None:
    run = session.get_one(ReconcileRun, run_id)
    run.finished_at, run.checked, run.changed, run.drift = utcnow(), checked, changed, drift
    run.error = error[:500] if error else None
    session.add(run)
    session.commit()


def transactions_due(session: Session, period: float) -> bool:
    last = session.exec(
        select(ReconcileRun.finished_at)
        .where(
            ReconcileRun.kind == "transactions",
            col(ReconcileRun.error).is_(None),
            col(ReconcileRun.finished_at).is_not(None),
        )
        .order_by(col(ReconcileRun.finished_at).desc())
    ).first()
    return last is None or utcnow() - last >= timedelta(seconds=period)


async def sweep_once(service: PaymentService, settings: Settings, keep_going: Callable[[], bool]) -> None:
    run_id = await run_db(lambda s: _begin(s, "sweep"))
    try:
        report = await service.sweep(sweep_policy(settings), keep_going)
    except Exception as err:
        error = repr(err)
        await run_db(lambda s: _end(s, run_id, 0, 0, error=error))
        raise
    await run_db(lambda s: _end(s, run_id, report.checked, len(report.settled) + report.refunds))
    for line in report.settled:
        log.info("reconciled %s", line)


async def transactions_once(
    service: PaymentService, hours: float, dry_run: bool = False, keep_going: Callable[[], bool] = lambda: True
) -> TransactionsReport:
    """One 거래 대사 pass over the last ``hours``; recorded unless ``dry_run``."""
    end = utcnow()
    run_id = None if dry_run else await run_db(lambda s: _begin(s, "transactions"))
    try:
        report = await service.reconcile_transactions(end - timedelta(hours=hours), end, dry_run, keep_going)
    except Exception as err:
        if run_id is not None:
            error = repr(err)
            await run_db(lambda s: _end(s, run_id, 0, 0, error=error))
        raise
    if run_id is not None:
        await run_db(lambda s: _end(s, run_id, report.transactions, len(report.applied), len(report.drift)))
        await run_db(_forget_old_runs)
    return report


def _forget_old_runs(session: Session) -> None:
    session.exec(delete(ReconcileRun).where(col(ReconcileRun.started_at) < utcnow() - RUNS_KEPT))
    session.commit()


async def run_forever(settings: Settings | None = None) -> None:
    """The reconciler loop of this process (it works only while it holds the lease)."""
    settings = settings or get_settings()
    while True:
        try:
            lease = get_redis().lock(lease_name(settings), timeout=LEASE_TTL, blocking=False)
            if await lease.acquire():
                async with held(lease) as holding:
                    log.info("reconciler: %s holds the lease", HOLDER)
                    while not holding.lost:
                        await _round(payment_service(), settings, lambda: not holding.lost)
                        await asyncio.sleep(settings.reconcile_interval_seconds)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # Redis or the database down: try again next round
            log.warning("reconciler: %s", err)
        await asyncio.sleep(settings.reconcile_interval_seconds)


async def _round(service: PaymentService, settings: Settings, keep_going: Callable[[], bool]) -> None:
    await sweep_once(service, settings, keep_going)
    if keep_going() and await run_db(lambda s: transactions_due(s, settings.transactions_period_seconds)):
        report = await transactions_once(service, settings.transactions_window_hours, keep_going=keep_going)
        for line in report.applied:
            log.info("거래 대사 applied %s", line)
        for line in report.drift:
            log.error("거래 대사 drift: %s", line)
        older = utcnow() - timedelta(days=settings.webhook_retention_days)
        if pruned := await run_db(lambda s: webhooks.prune(s, older)):
            log.info("pruned %d webhook events older than %g days", pruned, settings.webhook_retention_days)


@contextlib.asynccontextmanager
async def reconciler() -> AsyncIterator[None]:
    """A lifespan: this process's reconciler runs while the app serves (once per event loop,
    unless ``RECONCILE_ENABLED=0``). Used by the FastAPI app and by the Reflex app."""
    settings = get_settings()
    loop = asyncio.get_running_loop()
    if not settings.reconcile_enabled or id(loop) in _started:
        yield
        return
    _started.add(id(loop))
    task = loop.create_task(run_forever(settings), name="payapp-reconciler")
    try:
        yield
    finally:
        task.cancel()
        _started.discard(id(loop))
