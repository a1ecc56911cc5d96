"""Which Toss the app talks to follows from settings alone: the same code for sandbox and real Toss."""

from __future__ import annotations

import pytest

from payapp.sandbox.config import SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from payapp.settings import REAL_TOSS_API, SANDBOX_PREFIX, Settings

KEYS = {"TOSS_CLIENT_KEY": "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq",
        "TOSS_SECRET_KEY": "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"}


@pytest.fixture
def settings_from(monkeypatch, tmp_path):
    def make(**env: str) -> Settings:
        for name in ("TOSS_CLIENT_KEY", "TOSS_SECRET_KEY", "TOSS_API_BASE", "TOSS_SDK_SRC", "DATABASE_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)  # no .env file
        return Settings()
    return make


def test_no_configuration_uses_the_mounted_sandbox(settings_from):
    s = settings_from()
    assert s.mounts_sandbox and s.client_key == SANDBOX_CLIENT_KEY and s.secret_key == SANDBOX_SECRET_KEY
    assert s.sdk_src == SANDBOX_PREFIX + "/_sandbox/sdk.js"
    assert s.db_url.startswith("sqlite:///")


def test_real_keys_without_api_base_talk_to_real_toss(settings_from):
    s = settings_from(**KEYS)
    assert not s.mounts_sandbox
    assert s.toss_api_base is None and REAL_TOSS_API == "https://api.tosspayments.com"
    assert s.sdk_src == ""  # the official loader's default script
    assert s.client_key == KEYS["TOSS_CLIENT_KEY"] and s.secret_key == KEYS["TOSS_SECRET_KEY"]


def test_an_external_sandbox_process(settings_from):
    s = settings_from(TOSS_API_BASE="http://127.0.0.1:8787")
    assert not s.mounts_sandbox and s.secret_key == SANDBOX_SECRET_KEY
    assert s.sdk_src == "http://127.0.0.1:8787/_sandbox/sdk.js"


def test_the_secret_key_does_not_print(settings_from):
    s = settings_from(**KEYS)
    assert KEYS["TOSS_SECRET_KEY"] not in repr(s) and KEYS["TOSS_SECRET_KEY"] not in str(s.model_dump())
