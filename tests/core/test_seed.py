"""``python -m payapp.seed`` run again: the sign-ins it prints are the ones that work.

A real API process (embedded defaults in a temp data dir) and the seed as a subprocess, as
``make run`` runs it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.core.conftest import CONFIG_VARS
from tests.support.servers import ROOT, child_env, server_process

SEED_VARS = (*CONFIG_VARS, "ADMIN_EMAIL", "ADMIN_PASSWORD", "DEMO_EMAIL", "DEMO_PASSWORD")
ADMIN, DEMO = "admin@payapp.local", "demo@payapp.local"


class Deployment:
    def __init__(self, data_dir: Path, url: str) -> None:
        self.env = {"PAYAPP_DATA_DIR": str(data_dir)}
        self.data_dir = data_dir
        self.http = httpx.Client(base_url=url, timeout=30)

    def run(self, module: str, *args: str, **settings: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=child_env({**self.env, **settings}, SEED_VARS),
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def seed(self, **settings: str) -> str:
        return self.run("payapp.seed", **settings)

    def token(self, email: str, password: str) -> str | None:
        r = self.http.post("/v1/auth/token", json={"email": email, "password": password})
        return r.json()["accessToken"] if r.status_code == 200 else None

    def is_admin(self, token: str) -> bool:
        r = self.http.get("/v1/admin/payments", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code in (200, 403), r.text
        return r.status_code == 200


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    env = {"PAYAPP_DATA_DIR": str(tmp_path)}
    with server_process(["payapp.api"], "/v1/health", env=env, drop_env=SEED_VARS, timeout=60) as url:
        yield Deployment(tmp_path, url)


def test_reseeding_with_new_passwords_makes_them_work(deployment):
    # Someone signed up as a customer on the admin's address before the first seed.
    r = deployment.http.post("/v1/auth/signup", json={"email": ADMIN, "password": "squatt3r-pw"})
    assert r.status_code == 201, r.text
    squatter = deployment.token(ADMIN, "squatt3r-pw")
    assert squatter

    out = deployment.seed(ADMIN_PASSWORD="Adm1n-first", DEMO_PASSWORD="dem0-first")
    assert f"{ADMIN} / Adm1n-first" in out and f"{DEMO} / dem0-first" in out
    admin = deployment.token(ADMIN, "Adm1n-first")
    assert admin and deployment.is_admin(admin)
    assert deployment.token(ADMIN, "squatt3r-pw") is None
    # The squatter's token from before the seed died with the old password: no admin through it.
    r = deployment.http.get("/v1/admin/payments", params={"limit": 1}, headers={"Authorization": f"Bearer {squatter}"})
    assert r.status_code == 401 and r.json()["code"] == "INVALID_TOKEN", r.text
    demo = deployment.token(DEMO, "dem0-first")
    assert demo and not deployment.is_admin(demo)

    out = deployment.seed(ADMIN_PASSWORD="Adm1n-second", DEMO_PASSWORD="dem0-second")
    assert f"{ADMIN} / Adm1n-second  (password and role updated)" in out
    assert f"{DEMO} / dem0-second  (password and role updated)" in out
    assert "first" not in out and "$argon2" not in out  # no old password, no hash
    assert deployment.token(ADMIN, "Adm1n-first") is None and deployment.token(DEMO, "dem0-first") is None
    admin = deployment.token(ADMIN, "Adm1n-second")
    assert admin and deployment.is_admin(admin)
    assert deployment.token(DEMO, "dem0-second")

    out = deployment.seed(ADMIN_PASSWORD="Adm1n-second", DEMO_PASSWORD="dem0-second")
    assert "updated" not in out  # nothing to change: nothing changed


def test_the_default_passwords_and_roles_are_restored(deployment):
    deployment.seed()
    generated = (deployment.data_dir / "admin_password").read_text().strip()
    # Later: the demo account was made an admin, and the admin was demoted.
    deployment.run("payapp.users", "create", DEMO, "--password", "s0mething-else", "--admin")
    deployment.run("payapp.users", "create", ADMIN, "--password", generated)

    out = deployment.seed()
    assert f"{DEMO} / demo1234!  (password and role updated)" in out
    demo = deployment.token(DEMO, "demo1234!")  # the public demo password never opens an admin
    assert demo and not deployment.is_admin(demo)
    assert f"{ADMIN} / {generated}  (password and role updated)" in out
    assert deployment.is_admin(deployment.token(ADMIN, generated))


def test_a_generated_password_never_overwrites_an_admin_set_elsewhere(deployment):
    deployment.seed()
    generated = (deployment.data_dir / "admin_password").read_text().strip()
    deployment.run("payapp.users", "create", ADMIN, "--password", "0perator-pw", "--admin")

    out = deployment.seed()
    assert generated not in out  # it would not work: not printed
    assert f"{ADMIN} (exists with another password, left as it is; set ADMIN_PASSWORD to reset it)" in out
    assert deployment.token(ADMIN, generated) is None
    assert deployment.is_admin(deployment.token(ADMIN, "0perator-pw"))


def test_a_password_from_settings_that_breaks_the_rule_is_a_clear_error(deployment):
    done = subprocess.run(
        [sys.executable, "-m", "payapp.seed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=child_env({**deployment.env, "ADMIN_PASSWORD": "short"}, SEED_VARS),
    )
    assert done.returncode != 0
    assert "INVALID_PASSWORD" in done.stderr and "ADMIN_PASSWORD" in done.stderr
    assert "Traceback" not in done.stderr
