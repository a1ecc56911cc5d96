"""Production defaults (REFLEX_ENV_MODE=prod, what `make serve` / `reflex run --env prod` run in).

- The mounted sandbox serves only a buyer's part: the window, the SDK script and authorize.
  Its control API and its /v1 REST API answer 404 unless SANDBOX_CONTROL=1; the shop still
  confirms through it in-process.
- Its webhook targets are loopback-only unless SANDBOX_WEBHOOK_HOSTS says otherwise (any mode).
- The seed adds no demo customer unless SEED_DEMO=1 and prints where the admin password is,
  never the password.

Mostly `python -m payapp.api` processes with REFLEX_ENV_MODE=prod (a few seconds each); one test
runs the real Reflex prod build, where Reflex itself sets REFLEX_ENV_MODE.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from payapp.sandbox.config import SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from payapp.settings import SANDBOX_PREFIX, Settings
from tests.conftest import basic
from tests.core.conftest import CONFIG_VARS, Shop
from tests.support.app import run_shop
from tests.support.client import sqlite_url
from tests.support.sandbox_control import APPROVE, control_body, window_action
from tests.support.sandbox_control import CONTROL_CALLS as SANDBOX_CONTROL_CALLS
from tests.support.servers import ROOT, child_env, server_process

MODE_VARS = ("REFLEX_ENV_MODE", "SANDBOX_CONTROL", "SANDBOX_WEBHOOK_HOSTS", "SEED_DEMO")
DROP = (*CONFIG_VARS, *MODE_VARS, "ADMIN_EMAIL", "ADMIN_PASSWORD", "DEMO_EMAIL", "DEMO_PASSWORD")
PROD = {"REFLEX_ENV_MODE": "prod"}
CONTROL_CALLS = [
    *SANDBOX_CONTROL_CALLS,
    # the REST API: the sandbox keys are public, so it is the app's alone in production
    ("POST", "/v1/payments/confirm"),
    ("GET", "/v1/payments/tpaya0000"),
    ("GET", "/v1/transactions"),
]


@contextmanager
def api_process(tmp: Path, **env: str) -> Iterator[Shop]:
    env = {"PAYAPP_DATA_DIR": str(tmp), **env}
    with server_process(["payapp.api"], "/v1/health", env=env, drop_env=DROP, timeout=60) as url:
        yield Shop("production", url, url + SANDBOX_PREFIX, sqlite_url(tmp), env)


def assert_control_closed(base: str) -> None:
    for method, path in CONTROL_CALLS:
        r = httpx.request(
            method,
            base + path,
            headers=basic(SANDBOX_SECRET_KEY),
            timeout=10,
            json=control_body(method),
        )
        assert (r.status_code, r.json().get("code")) == (404, "NOT_FOUND"), (method, path, r.text)


def assert_window_and_sdk_work(base: str) -> None:
    for path in ("/_sandbox/sdk.js", "/js/v1"):
        r = httpx.get(base + path, timeout=10)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript"), path
    page = httpx.get(
        base + "/_sandbox/window",
        timeout=10,
        params={
            "clientKey": SANDBOX_CLIENT_KEY,
            "method": "카드",
            "amount": 1000,
            "orderId": "order-window-prod",
            "orderName": "x",
        },
    )
    assert page.status_code == 200, page.text
    action = window_action(page.text)
    assert SANDBOX_PREFIX + "/_sandbox/window/" in action
    chosen = httpx.post(action, data=APPROVE, timeout=10)
    assert chosen.status_code == 303 and "/_sandbox/landing/success?" in chosen.headers["location"]


def test_in_production_the_mounted_sandbox_serves_only_the_buyers_part(tmp_path):
    with api_process(tmp_path, **PROD) as shop:
        assert_control_closed(shop.sandbox_url)
        assert_window_and_sdk_work(shop.sandbox_url)
        # A whole purchase: authorize at the mount, the shop confirms at the sandbox in-process.
        buyer = shop.signup()
        order = shop.prepare(buyer)
        authorized = shop.authorize(order)
        r = shop.confirm(buyer, authorized)
        assert r.status_code == 200 and r.json()["status"] == "DONE", r.text


def test_sandbox_control_1_reopens_the_control_api_in_production(tmp_path):
    with api_process(tmp_path, **PROD, SANDBOX_CONTROL="1") as shop:
        assert shop.sandbox.get("/_sandbox/faults").json() == {"data": [], "count": 0}
        assert shop.sandbox.post("/_sandbox/clock", json={"advanceSeconds": 0}).status_code == 200
        r = shop.sandbox.get("/v1/payments/tpaya0000", headers=basic(SANDBOX_SECRET_KEY))
        assert r.json()["code"] == "NOT_FOUND_PAYMENT"


def test_in_dev_the_control_api_is_open_and_webhooks_go_to_loopback_only(tmp_path):
    with api_process(tmp_path) as shop:
        assert shop.sandbox.get("/_sandbox/faults").status_code == 200
        for url in ("http://example.com/v1/webhooks/toss", "http://169.254.169.254/latest", "http://10.0.0.1/h"):
            r = shop.sandbox.post("/_sandbox/webhooks", json={"url": url})
            assert (r.status_code, r.json()["code"]) == (400, "WEBHOOK_HOST_NOT_ALLOWED"), r.text
        for url in (f"{shop.url}/v1/webhooks/toss", "http://localhost:8000/v1/webhooks/toss", "http://[::1]:8000/h"):
            assert shop.sandbox.post("/_sandbox/webhooks", json={"url": url}).status_code == 201, url


def test_sandbox_webhook_hosts_widens_the_mounted_sandboxs_targets(tmp_path):
    with api_process(tmp_path, SANDBOX_WEBHOOK_HOSTS="hooks.example.com") as shop:
        assert shop.sandbox.post("/_sandbox/webhooks", json={"url": "https://hooks.example.com/t"}).status_code == 201
        assert shop.sandbox.post("/_sandbox/webhooks", json={"url": "https://example.com/t"}).status_code == 400


# -- settings -----------------------------------------------------------------------------------
@pytest.fixture
def settings_from(monkeypatch, tmp_path):
    def make(**env: str) -> Settings:
        for name in MODE_VARS:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)  # no .env file
        return Settings()

    return make


def test_the_mode_decides_the_defaults_and_each_setting_overrides_it(settings_from):
    dev = settings_from()
    assert (dev.production, dev.sandbox_control_open, dev.seeds_demo) == (False, True, True)
    assert dev.sandbox_webhook_allowlist == ()  # loopback only, in dev too
    prod = settings_from(REFLEX_ENV_MODE="prod")
    assert (prod.production, prod.sandbox_control_open, prod.seeds_demo) == (True, False, False)
    assert settings_from(REFLEX_ENV_MODE="preview").production
    assert not settings_from(REFLEX_ENV_MODE="dev").production
    both = settings_from(REFLEX_ENV_MODE="prod", SANDBOX_CONTROL="1", SEED_DEMO="1")
    assert (both.sandbox_control_open, both.seeds_demo) == (True, True)
    closed = settings_from(SANDBOX_CONTROL="0", SEED_DEMO="0")
    assert (closed.sandbox_control_open, closed.seeds_demo) == (False, False)
    assert settings_from(SANDBOX_WEBHOOK_HOSTS="*").sandbox_webhook_allowlist is None
    assert settings_from(SANDBOX_WEBHOOK_HOSTS="a.example,10.0.0.0/8").sandbox_webhook_allowlist == (
        "a.example",
        "10.0.0.0/8",
    )
    with pytest.raises(ValidationError, match="webhook hosts"):
        settings_from(SANDBOX_WEBHOOK_HOSTS="http://a.example")


def test_the_mode_is_read_when_asked_not_when_the_settings_were_built(settings_from, monkeypatch):
    # rxconfig.py builds the settings before `reflex run --env prod` sets REFLEX_ENV_MODE.
    settings = settings_from()
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    assert settings.production and not settings.sandbox_control_open


# -- the seed -----------------------------------------------------------------------------------
def seed(tmp: Path, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "payapp.seed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=child_env({"PAYAPP_DATA_DIR": str(tmp), **env}, DROP),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def users(tmp: Path) -> dict[str, str]:
    with sqlite3.connect(tmp / "payapp.db") as db:
        return dict(db.execute('SELECT email, role FROM "user"').fetchall())


def test_seed_in_production_prints_no_password_and_adds_no_demo_customer(tmp_path):
    out = seed(tmp_path, **PROD)
    password = (tmp_path / "admin_password").read_text().strip()
    assert password not in out
    assert f"admin:         admin@payapp.local / password in {tmp_path / 'admin_password'}" in out
    assert "demo1234!" not in out and "demo customer: not seeded" in out and "SEED_DEMO=1" in out
    assert users(tmp_path) == {"admin@payapp.local": "admin"}

    out = seed(tmp_path, **PROD, SEED_DEMO="1")
    assert "demo customer: demo@payapp.local / demo1234!" in out  # public anyway, and asked for
    assert password not in out
    assert users(tmp_path) == {"admin@payapp.local": "admin", "demo@payapp.local": "customer"}

    out = seed(tmp_path, **PROD)  # a demo account from before is pointed out
    assert "warning: demo@payapp.local exists from an earlier seed" in out


def test_seed_in_production_with_admin_password_names_the_setting_only(tmp_path):
    out = seed(tmp_path, **PROD, ADMIN_PASSWORD="0perator-secret-pw")
    assert "0perator-secret-pw" not in out
    assert "admin:         admin@payapp.local / password in ADMIN_PASSWORD" in out
    assert not (tmp_path / "admin_password").exists()


def test_seed_in_dev_still_prints_the_sign_ins(tmp_path):
    out = seed(tmp_path)
    password = (tmp_path / "admin_password").read_text().strip()
    assert f"admin@payapp.local / {password}" in out and "demo@payapp.local / demo1234!" in out
    assert users(tmp_path) == {"admin@payapp.local": "admin", "demo@payapp.local": "customer"}


def test_make_serve_seeds_in_production_mode():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^serve:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "REFLEX_ENV_MODE=prod $(PY) -m payapp.seed" in recipe
    assert "reflex run --env prod" in recipe


# -- the real Reflex prod build -------------------------------------------------------------------
def test_reflex_prod_build_closes_the_control_api_by_itself():
    """`reflex run --env prod` with no SANDBOX_CONTROL and no REFLEX_ENV_MODE given: Reflex's own."""
    with run_shop({"SANDBOX_CONTROL": None}) as url:
        base = url + SANDBOX_PREFIX
        assert_control_closed(base)
        assert_window_and_sdk_work(base)
        r = httpx.post(
            base + "/_sandbox/authorize",
            timeout=10,
            json={"clientKey": SANDBOX_CLIENT_KEY, "amount": 1000, "orderId": "order-reflex-prod", "orderName": "x"},
        )
        assert r.status_code == 200 and r.json()["status"] == "IN_PROGRESS", r.text
        assert httpx.get(url + "/ping", timeout=10).status_code == 200
