"""The processes ``bench/confirm_path.py`` measures, how it reads their CPU, and its report.

A PostgreSQL database of its own (created, then dropped), a Redis database of its own
(flushed before and after), one ``python -m payapp.sandbox`` and one ``python -m payapp.api``
started as a user starts them, on free loopback ports.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import redis
from sandbox_client import stop_group

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
# Everything payapp reads from the environment that would point the API elsewhere.
CONFIG_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "REFLEX_REDIS_URL",
    "TOSS_API_BASE",
    "TOSS_CLIENT_KEY",
    "TOSS_SECRET_KEY",
    "JWT_SECRET",
    "PAYAPP_DATA_DIR",
    "PAYAPP_FAILPOINTS",
    "RECONCILE_ENABLED",
)


@contextlib.contextmanager
def database() -> Iterator[str]:
    name = f"payapp_confirmbench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_db(url: str) -> Iterator[str]:
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(
    module: str, args: list[str], env: dict[str, str], health: str, log_dir: str | None = None
) -> Iterator[tuple[int, psutil.Process]]:
    """``python -m module --host 127.0.0.1 --port N *args`` in its own session, until healthy;
    its output goes to ``log_dir/module.log`` (or nowhere)."""
    port = free_port()
    log = open(Path(log_dir) / f"{module}.log", "wb") if log_dir else tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise SystemExit(f"{module} exited with {proc.returncode}: {log.read().decode()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=1) as r:
                    if r.status == 200:
                        break
            if time.monotonic() > deadline:
                raise SystemExit(f"{module} did not answer {health} within 90 s")
            time.sleep(0.1)
        parent, seen, stable = psutil.Process(proc.pid), -1, 0
        while stable < 10 and time.monotonic() < deadline:  # its worker processes, if any, all started
            count = len(parent.children(recursive=True))
            stable, seen = (stable + 1 if count == seen else 0), count
            time.sleep(0.1)
        yield port, parent
    finally:
        stop_group(proc, 15)
        log.close()


def api_env(db_url: str, redis_url: str, sandbox_port: int, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    return {
        **env,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "PAYAPP_DATA_DIR": data_dir,
        "TOSS_API_BASE": f"http://127.0.0.1:{sandbox_port}",
        "JWT_SECRET": uuid.uuid4().hex * 2,
    }


class BackendCpu:
    """CPU of the PostgreSQL backends serving one database, sampled every 0.25 s in a thread
    (their pids from pg_stat_activity), so that a backend a pool opens and closes during a
    phase is counted too; one first seen mid-phase counts from zero (its start is work too)."""

    def __init__(self, db_name: str):
        self.db_name = db_name
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def _sample(self, conn: psycopg.Connection, initial: bool = False) -> None:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.db_name,))]
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                t = psutil.Process(pid).cpu_times()
                self.last[pid] = t.user + t.system
                self.first.setdefault(pid, self.last[pid] if initial else 0.0)

    def start(self) -> None:
        self.first.clear()
        self.last.clear()
        self.stop.clear()
        self.conn = psycopg.connect(PG_ADMIN, autocommit=True)
        self._sample(self.conn, initial=True)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.25):
            self._sample(self.conn)

    def counters(self) -> dict[str, int]:
        """pg_stat_database's transactions and sessions of the database (a few ms stale)."""
        row = self.conn.execute(
            "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname = %s", (self.db_name,)
        ).fetchone()
        return {"transactions": row[0], "sessions": row[1]}

    def seconds(self) -> float:
        self.stop.set()
        assert self.thread is not None
        self.thread.join()
        self._sample(self.conn)
        return sum(self.last[pid] - self.first[pid] for pid in self.last)

    def close(self) -> None:
        self.conn.close()


def redis_server_cpu(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def summary(p) -> dict:
    """One phase (a sandbox_throughput.Phase, with the ``cpu`` and ``pg`` it was given) as numbers."""
    per_pair = {k: round(1e6 * v / p.done) if p.done else None for k, v in p.cpu.items()}  # type: ignore[attr-defined]
    return {
        "pairs_per_s": round(p.rate(), 1),
        "pairs": p.done,
        "p50_ms": round(p.percentile(0.5), 1),
        "p99_ms": round(p.percentile(0.99), 1),
        "cpu_us_per_pair": per_pair,
        "cores": {k: round(v / p.wall, 2) for k, v in p.cpu.items()},  # type: ignore[attr-defined]
        "pg_per_pair": {k: round(v / p.done, 2) if p.done else None for k, v in p.pg.items()},  # type: ignore
        "errors": len(p.errors),
        "first_errors": p.errors[:3],
    }


def report(result: dict) -> str:
    lines = [
        f"Confirm path: prepare → authorize → confirm through python -m payapp.api {' '.join(result['api_args'])}",
        f"machine: {result['machine']}; {result['seconds']:g} s per phase",
        f"load average: {result['load_before']} before, {result['load_after']} after (a shared machine: "
        "compare within one run)",
        "CPU µs per pair: api, sandbox, this client, the database's postgres backends, redis-server (shared); "
        "PostgreSQL transactions per pair",
        f"{'c':>3} {'loop':<6}{'pairs/s':>9}{'p50 ms':>9}{'p99 ms':>9}  {'app÷floor':>9}   CPU µs per pair{'':18}pg tx",
    ]
    for row in result["rows"]:
        for kind in ("floor", "app"):
            r = row[kind]
            cpus = " / ".join(
                str(r["cpu_us_per_pair"].get(k, "-")) for k in ("api", "sandbox", "client", "postgres", "redis")
            )
            ratio = f"{row['ratio']:>9.3f}" if kind == "app" else " " * 9
            lines.append(
                f"{row['concurrency']:>3} {kind:<6}{r['pairs_per_s']:>9,.1f}{r['p50_ms']:>9.1f}"
                f"{r['p99_ms']:>9.1f}  {ratio}   {cpus:<32} {r['pg_per_pair']['transactions']}"
            )
            if r["errors"]:
                lines.append(f"    WRONG ANSWERS: {r['errors']} (first: {r['first_errors']})")
    return "\n".join(lines)
