"""`python -m payapp.api` on a fresh data dir: migrates, has a catalog to sell, creates no users."""

from __future__ import annotations

import sqlite3

import httpx

from tests.core.conftest import CONFIG_VARS
from tests.support.servers import server_process


def test_fresh_api_process_migrates_and_has_a_catalog_but_no_users(tmp_path):
    env = {"PAYAPP_DATA_DIR": str(tmp_path)}
    with server_process(["payapp.api"], "/v1/health", env=env, drop_env=CONFIG_VARS, timeout=60) as url:
        products = httpx.get(url + "/v1/products").json()
        assert products["count"] >= 3
        assert httpx.get(url + "/openapi.json").status_code == 200
    with sqlite3.connect(tmp_path / "payapp.db") as db:
        assert db.execute('SELECT count(*) FROM "user"').fetchone() == (0,)
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() is not None
