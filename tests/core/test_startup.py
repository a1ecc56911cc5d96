"""Several API processes started at once on one PostgreSQL database migrate once and seed the
catalog once (a PostgreSQL advisory lock around migrate + seed)."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from payapp.services.catalog import DEMO_CATALOG
from tests.core.conftest import CONFIG_VARS, fresh_pg_database
from tests.support.servers import ROOT, spawn_server, stop_server


def test_three_processes_started_together_migrate_once_and_seed_once(sandbox_url, tmp_path):
    with fresh_pg_database("payapp_start") as db_url:
        env = {
            "DATABASE_URL": db_url,
            "REDIS_URL": "redis://127.0.0.1:6379/11",
            "TOSS_API_BASE": sandbox_url,
            "PAYAPP_DATA_DIR": str(tmp_path),
        }
        started: list = []
        errors: list = []

        def start() -> None:
            try:
                started.append(spawn_server(["payapp.api"], "/v1/health", env=env, drop_env=CONFIG_VARS, timeout=90))
            except Exception as err:  # noqa: BLE001 - reported below
                errors.append(err)

        threads = [threading.Thread(target=start) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        try:
            assert errors == [] and len(started) == 3, errors
            logs = [Path(ROOT / ".data" / f"server-{url.rsplit(':', 1)[1]}.log").read_text() for _, url in started]
            assert sum("Running upgrade 0003 -> 0004" in log for log in logs) == 1, "migrated more than once"
            products = httpx.get(started[0][1] + "/v1/products").json()["data"]
            assert sorted(p["name"] for p in products) == sorted(name for name, *_ in DEMO_CATALOG)
        finally:
            for proc, _url in started:
                stop_server(proc)
