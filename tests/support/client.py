"""One client for a running payapp, whatever started it: its REST API, the Toss sandbox it talks
to, and its database (to look behind the API). The core tests' ``python -m payapp.api`` processes
and the browser tests' Reflex app both use it.

The factories are here too: ``signup()`` makes a buyer, ``admin()`` an admin (through
``python -m payapp.users``, so it needs the process's settings), ``prepare()`` an order of a
product from the catalog, ``authorize()`` the buyer's 승인 in the sandbox window (headless), and
``paid_order()`` a DONE payment.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from payapp.db import normalize_url
from payapp.sandbox.config import SANDBOX_CLIENT_KEY
from tests.support.servers import ROOT, child_env

# Settings the app reads: a child process (``payapp.users``, ``payapp.seed``) gets the shop's own
# values of these, never the developer's.
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
Auth = dict[str, str]


class SandboxClient(httpx.Client):
    """The sandbox's HTTP API; called, it GETs an endpoint as JSON:
    ``shop.sandbox("/_sandbox/payments", orderId=order_id)["data"]``."""

    def __call__(self, endpoint: str, **params: Any) -> Any:
        return self.get(endpoint, params=params).json()


class ShopClient:
    """A running payapp API plus the sandbox it talks to, seen as a client would.

    ``sandbox_url`` defaults to the sandbox mounted in the app; ``env`` is the process's settings
    (what ``admin()`` passes on to ``python -m payapp.users``).
    """

    def __init__(
        self,
        name: str,
        url: str,
        sandbox_url: str | None,
        db_url: str,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name, self.url, self.db_url = name, url, db_url
        self.sandbox_url = sandbox_url or url + "/toss-sandbox"
        self.env = dict(env or {})
        self.http = httpx.Client(base_url=url, timeout=30)
        self.sandbox = SandboxClient(base_url=self.sandbox_url, timeout=30)
        self.engine = sa.create_engine(normalize_url(db_url))

    def close(self) -> None:
        self.http.close()
        self.sandbox.close()
        self.engine.dispose()

    # -- accounts ---------------------------------------------------------------------
    def signup(self, password: str = "passw0rd!") -> Auth:
        """A new buyer, signed in: its Authorization header."""
        email = f"buyer-{uuid.uuid4().hex[:10]}@example.com"
        r = self.http.post("/v1/auth/signup", json={"email": email, "password": password})
        assert r.status_code == 201, r.text
        return self.login(email, password)

    def login(self, email: str, password: str) -> Auth:
        r = self.http.post("/v1/auth/token", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['accessToken']}"}

    def admin(self) -> Auth:
        """A new admin, signed in (created with ``python -m payapp.users`` on the shop's settings)."""
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

    def prepare(self, auth: Auth, items: list[dict] | None = None, quantity: int = 2) -> dict:
        """An order (default: ``quantity`` of the first product), priced by the server."""
        if items is None:
            items = [{"productId": self.products()[0]["id"], "quantity": quantity}]
        r = self.http.post("/v1/payments/prepare", headers=auth, json={"items": items})
        assert r.status_code == 200, r.text
        return r.json()

    def authorize(self, order: dict, outcome: str = "approve") -> dict:
        """The buyer's answer in the sandbox window for ``order``, headless: the authorization."""
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

    def confirm(self, auth: Auth, authorized: dict, amount: Any = None) -> httpx.Response:
        return self.http.post(
            "/v1/payments/confirm",
            headers=auth,
            json={
                "paymentKey": authorized["paymentKey"],
                "orderId": authorized["orderId"],
                "amount": authorized["amount"] if amount is None else amount,
            },
        )

    def paid_order(self, auth: Auth, quantity: int = 2) -> dict:
        """A DONE payment of ``auth``'s buyer: the API's Payment view."""
        authorized = self.authorize(self.prepare(auth, quantity=quantity))
        r = self.confirm(auth, authorized)
        assert r.status_code == 200, r.text
        return r.json()

    # -- looking behind the API -------------------------------------------------------
    def toss_confirms(self, order_id: str) -> list[dict]:
        """Confirm calls that reached the sandbox for this order (replays excluded)."""
        log = self.sandbox("/_sandbox/requests", path="/v1/payments/confirm")["data"]
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


def seed(env: Mapping[str, str]) -> None:
    """``python -m payapp.seed`` on these settings: migrated, the catalog, the demo buyer and the admin."""
    subprocess.run(
        [sys.executable, "-m", "payapp.seed", "--quiet"],
        cwd=ROOT,
        env=child_env(env, CONFIG_VARS),
        check=True,
        capture_output=True,
    )


def sqlite_url(data_dir: Path) -> str:
    """The database of an app that runs on its embedded defaults in ``data_dir``."""
    return f"sqlite:///{data_dir / 'payapp.db'}"
