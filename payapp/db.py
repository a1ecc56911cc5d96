"""Database engine, sessions and migrations (alembic, the one schema authority)."""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from payapp.settings import ROOT, get_settings

T = TypeVar("T")


def normalize_url(url: str) -> str:
    """``postgresql://`` → psycopg 3 driver (SQLAlchemy's default would be psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    url = normalize_url(settings.db_url)
    if url.startswith("sqlite"):
        settings.ensure_data_dir()
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record) -> None:  # noqa: ANN001
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # A dead or cut database answers within the connect timeout, and a busy pool makes a caller
    # wait pool_timeout at most: both end as 503 with Retry-After (payapp/api/errors.py).
    # No pool_pre_ping: its check (a SELECT 1 round trip per checkout) cost ~0.4 ms of CPU per
    # session here (docs/BENCHMARKS.md). A connection the server dropped fails its first statement instead:
    # that request answers 503 (nothing half-written: one transaction each) and SQLAlchemy
    # replaces every connection of the pool older than the failure.
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_args={"connect_timeout": settings.db_connect_timeout_seconds},
    )


@contextmanager
def session_scope() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


async def run_db(fn: Callable[[Session], T]) -> T:
    """Run blocking database work in a thread so the event loop keeps serving.

    Measured against SQLAlchemy's asyncio extension (``AsyncSession.run_sync`` on psycopg's
    async connection): that cost more CPU per session here, not less (docs/BENCHMARKS.md).
    """

    def work() -> T:
        with session_scope() as session:
            return fn(session)

    return await asyncio.to_thread(work)


async def run_tx(fn: Callable[[Connection], T]) -> T:
    """One transaction on a bare connection (SQLAlchemy Core, no session), in a thread: it
    commits when ``fn`` returns and rolls back when it raises. What the payment writes use:
    a Session's unit of work cost them more CPU than their statements (payapp/services/payment_row.py)."""

    def work() -> T:
        with get_engine().begin() as conn:
            return fn(conn)

    return await asyncio.to_thread(work)


# Any fixed number: the key of payapp's start-up lock among PostgreSQL's advisory locks.
STARTUP_LOCK_KEY = 0x70617961  # "paya"


@contextmanager
def startup_lock() -> Iterator[None]:
    """Held while a process migrates and seeds, so N processes started together migrate once
    and seed once: a PostgreSQL session advisory lock (freed by the server if we die), or, on
    the embedded SQLite, a file lock in the data dir."""
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
        return
    with open(get_settings().ensure_data_dir() / "startup.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate() -> None:
    """Apply pending alembic migrations to the configured database."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
