"""One alembic chain builds the schema on SQLite and PostgreSQL, and matches the models."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.core.conftest import CONFIG_VARS, fresh_pg_database
from tests.support.servers import ROOT, child_env


@pytest.fixture
def empty_pg():
    with fresh_pg_database("payapp_migr") as url:
        yield url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_then_models_match_the_migrations(backend, tmp_path, request):
    env = {"PAYAPP_DATA_DIR": str(tmp_path)}
    if backend == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("empty_pg")
    run = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=child_env(env, CONFIG_VARS),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    check = subprocess.run(
        [sys.executable, "-m", "alembic", "check"],
        cwd=ROOT,
        env=child_env(env, CONFIG_VARS),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    down = subprocess.run(
        [sys.executable, "-m", "alembic", "downgrade", "base"],
        cwd=ROOT,
        env=child_env(env, CONFIG_VARS),
        capture_output=True,
        text=True,
    )
    assert down.returncode == 0, down.stderr
