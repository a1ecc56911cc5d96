"""Admin payments list and stats at a million rows: the service's SQL against the naive query.

    .venv/bin/python bench/admin_list.py [--payments 1000000] [--db payapp_bench] [--repeat 7] [--cluster]

Uses its own PostgreSQL database (created if missing), migrates it and seeds it up to
``--payments`` rows with ``python -m payapp.seed --payments``. Each query runs ``--repeat``
times under ``EXPLAIN (ANALYZE, TIMING OFF)``; the time printed is the median of planning +
execution as PostgreSQL reports it (no network, no Python). "Naive" is the same query done
the way it usually starts: OFFSET for deep pages, no usable index for filters and search, an
exact count(*); for the stats, "naive" is the scan of payment that the payment_daily rollup
replaces, and for stats with a text query the exact scan of every match (bench/admin_stats_scan.py)
against the newest-matches sample. ``--cluster`` first rewrites ``payment`` in created_at order
(CLUSTER), as a live table is laid out: the seed inserts in hash order, so a walk over the
created_at index touches a random page per row. Heavy (the seed alone takes 25–45 s): run it
by hand, never from the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: payapp is imported from this checkout
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
NO_INDEX = (
    "SET LOCAL enable_indexscan = off",
    "SET LOCAL enable_indexonlyscan = off",
    "SET LOCAL enable_bitmapscan = off",
)


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    with psycopg.connect(PG_ADMIN) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    return [
        f"machine: {os.cpu_count()} cores (nproc), {cpu}, {mem / 1024 / 1024:.0f} GiB RAM, "
        f"PostgreSQL {version}, Python {platform.python_version()}",
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (the machine is shared)",
    ]


def ensure_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def ensure_rows(url: str, wanted: int) -> int:
    env = {**os.environ, "DATABASE_URL": url, "PAYAPP_DATA_DIR": str(ROOT / ".data" / "bench")}
    subprocess.run([sys.executable, "-m", "payapp.seed", "--quiet"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(url) as conn:
        have = conn.execute("SELECT count(*) FROM payment").fetchone()[0]
    if have < wanted:
        print(f"seeding {wanted - have:,} payments (have {have:,}) …", flush=True)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "payapp.seed", "--payments", str(wanted - have)], cwd=ROOT, env=env, check=True
        )
        print(f"seeded in {time.monotonic() - started:.1f}s", flush=True)
        have = wanted
    return have


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--db", default="payapp_bench")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cluster", action="store_true", help="rewrite payment in created_at order first")
    args = parser.parse_args()
    for line in machine():
        print(line)
    url = ensure_database(args.db)
    rows = ensure_rows(url, args.payments)
    with psycopg.connect(url, autocommit=True) as conn:
        if args.cluster:
            started = time.monotonic()
            conn.execute("CLUSTER payment USING ix_payment_created_id")
            conn.execute("VACUUM (ANALYZE) payment")
            print(f"payment clustered on (created_at, id) in {time.monotonic() - started:.1f}s")
        layout = conn.execute(
            "SELECT correlation FROM pg_stats WHERE tablename = 'payment' AND attname = 'created_at'"
        ).fetchone()
        print(f"payment's physical order vs created_at: correlation {layout[0] if layout else '?'}")
    os.environ["DATABASE_URL"] = url  # before payapp reads its settings
    os.environ.setdefault("PAYAPP_DATA_DIR", str(ROOT / ".data" / "bench"))
    run(rows, args.repeat)


def run(rows: int, repeat: int) -> None:
    import sqlalchemy as sa
    from sqlmodel import col

    from bench.admin_stats_scan import scanned as scan
    from payapp.db import run_db, session_scope
    from payapp.models import Payment, User
    from payapp.services import admin, rollup
    from payapp.services.admin_query import (
        AdminFilters,
        capped_count_query,
        conditions,
        few_matches,
        kst_day,
        kst_today,
        page_query,
    )
    from payapp.services.admin_sample import sample_query
    from payapp.services.admin_stats import SAMPLE, _chart_window

    with session_scope() as session:
        engine = session.get_bind()

        def timed(stmt: sa.Select, naive: tuple[str, ...] = ()) -> float:
            compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
            times = []
            with engine.connect() as conn:
                for _ in range(repeat):
                    with conn.begin():
                        for setting in naive:
                            conn.exec_driver_sql(setting)
                        plan = conn.exec_driver_sql(
                            "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + str(compiled), compiled.params
                        ).scalar_one()
                    plan = plan if isinstance(plan, list) else json.loads(plan)
                    times.append(plan[0]["Planning Time"] + plan[0]["Execution Time"])
            return statistics.median(times)

        pages_deep = min(10_000, rows // admin.PAGE_SIZE - 2)  # 10,000 at a million rows
        deep = pages_deep * admin.PAGE_SIZE
        boundary = session.execute(
            sa.select(Payment.created_at, Payment.id)
            .order_by(col(Payment.created_at).desc(), col(Payment.id).desc())
            .offset(deep - 1)
            .limit(1)
        ).one()
        today = kst_today()
        by_date = AdminFilters(
            statuses=("CANCELED", "PARTIAL_CANCELED"),
            date_from=today - timedelta(days=120),
            date_to=today - timedelta(days=30),
        )
        email = session.execute(
            sa.select(User.email).where(col(User.email).like("%.%.%@%")).order_by(col(User.id).desc()).limit(1)
        ).scalar_one()
        order_id = session.execute(sa.select(Payment.order_id).where(col(Payment.id) == boundary.id)).scalar_one()
        searches = [
            ("q = buyer email fragment", email.split("@")[0][-10:]),
            ("q = orderId prefix", order_id[:12]),
            ("q = product name (common)", "드립"),
            ("q = email domain (common)", "naver"),
        ]
        page = admin.PAGE_SIZE + 1
        cases = [
            ("first page", page_query([], None, page), page_query([], None, page), NO_INDEX),
            (
                f"page {pages_deep:,} (cursor vs OFFSET)",
                page_query([], (boundary.created_at, boundary.id), page),
                page_query([], None, page).offset(deep),
                (),
            ),
            (
                "status + date filter",
                page_query(conditions(session, by_date), None, page),
                page_query(conditions(session, by_date), None, page),
                NO_INDEX,
            ),
        ]
        for label, q in searches:
            search = AdminFilters(q=q)
            where = conditions(session, search)
            few = few_matches(search, session.execute(capped_count_query(where)).scalar_one())
            cases.append(
                (
                    f"text search, {label}",
                    page_query(where, None, page, few=few),
                    page_query(where, None, page),
                    NO_INDEX,
                )
            )
        cases.append(
            (
                "count (capped at 10,000 vs exact)",
                capped_count_query([]),
                sa.select(sa.func.count()).select_from(Payment),
                (),
            )
        )
        cases.append(
            (
                "count, status + date filter",
                capped_count_query(conditions(session, by_date)),
                sa.select(sa.func.count()).select_from(Payment).where(*conditions(session, by_date)),
                NO_INDEX,
            )
        )

        # stats: the rollup's two reads against the scans they replace (counts by status; a daily series)
        month = AdminFilters(date_from=today - timedelta(days=29))
        day = kst_day(session).label("day")
        cases.append(
            (
                "stats: by status, whole table (rollup)",
                rollup.totals_query(None, None),
                sa.select(Payment.status, sa.func.count(), sa.func.sum(Payment.balance_amount)).group_by(
                    Payment.status
                ),
                (),
            )
        )
        cases.append(
            (
                "stats: by day and status, 30 days (rollup)",
                rollup.cells_query([(month.date_from, today)]),
                sa.select(day, Payment.status, sa.func.count(), sa.func.sum(Payment.balance_amount))
                .where(*conditions(session, month))
                .group_by(day, Payment.status),
                (),
            )
        )

        # stats with a text query: the newest SAMPLE matches, aggregated, against the old scan's
        # heaviest statement (every match grouped by status)
        for _, q in searches[2:]:
            search = AdminFilters(q=q)
            cases.append(
                (
                    f"stats, q = {q!r}: sample vs scan",
                    sample_query(session, search, SAMPLE),
                    sa.select(Payment.status, sa.func.count(), sa.func.sum(Payment.balance_amount))
                    .where(*conditions(session, search))
                    .group_by(Payment.status),
                    (),
                )
            )

        print(f"\n{rows:,} payments; median of {repeat} runs, planning + execution, server side (ms)")
        print(f"{'query':<44} {'fast':>9} {'naive':>10} {'naive/fast':>11}")
        for label, fast, slow, naive_settings in cases:
            f, n = timed(fast), timed(slow, naive_settings)
            print(f"{label:<44} {f:>9.2f} {n:>10.2f} {n / f:>10.0f}x", flush=True)
        print("\nsearch terms: " + ", ".join(f"{label.split('= ')[1]} {q!r}" for label, q in searches))
        print(f"status + date filter: {', '.join(by_date.statuses)}, {by_date.date_from} … {by_date.date_to} (KST)")

    REVENUE = ("DONE", "PARTIAL_CANCELED")
    rare = searches[0][1]

    async def scanned(filters: AdminFilters) -> admin.AdminStats:
        """What stats() did before payment_daily: scan the matching payments."""
        return await run_db(lambda s: scan(s, filters, today, _chart_window(filters, today)))

    async def wall() -> None:
        print("\nthrough the service, wall clock in this process (Python + driver + SQL), median ms:")
        for label, call in [
            ("list_payments(first page, with count)", lambda: admin.list_payments(AdminFilters())),
            ("list_payments(status + date filter)", lambda: admin.list_payments(by_date)),
            ("stats(no filter: whole table)", lambda: admin.stats(AdminFilters())),
            ("stats(30-day filter)", lambda: admin.stats(month)),
            ("stats(status DONE,PARTIAL_CANCELED)", lambda: admin.stats(AdminFilters(statuses=REVENUE))),
            ("stats(status + date filter)", lambda: admin.stats(by_date)),
            (f"stats(q = 'naver': newest {SAMPLE:,} matches)", lambda: admin.stats(AdminFilters(q="naver"))),
            (f"stats(q = '드립': newest {SAMPLE:,} matches)", lambda: admin.stats(AdminFilters(q="드립"))),
            ("stats(q = email fragment: exact, few)", lambda: admin.stats(AdminFilters(q=rare))),
            ("stats(q = 'naver'), scanning as before", lambda: scanned(AdminFilters(q="naver"))),
            ("stats(q = '드립'), scanning as before", lambda: scanned(AdminFilters(q="드립"))),
            ("stats(no filter), scanning as before", lambda: scanned(AdminFilters())),
            ("stats(30-day filter), scanning as before", lambda: scanned(month)),
        ]:
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                await call()
                times.append((time.perf_counter() - t0) * 1000)
            print(f"  {label:<44} {statistics.median(times):>9.2f}")
        fast, slow = await admin.stats(AdminFilters()), await scanned(AdminFilters())
        print(f"  rollup and scan agree (no filter): {fast == slow}")
        fast, slow = await admin.stats(AdminFilters(q=rare)), await scanned(AdminFilters(q=rare))
        print(f"  sample and scan agree (q = {rare!r}, {fast.count} matches, exact): {fast == slow}")
        sampled = await admin.stats(AdminFilters(q="naver"))
        print(f"  q = 'naver': approximate={sampled.approximate}, sampledSince={sampled.sampledSince}")

    asyncio.run(wall())


if __name__ == "__main__":
    main()
