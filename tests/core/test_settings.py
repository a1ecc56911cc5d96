"""Which Toss the app talks to follows from settings alone: the same code for sandbox and real Toss."""

from __future__ import annotations

import pytest

from payapp.sandbox.config import SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from payapp.settings import REAL_TOSS_API, SANDBOX_PREFIX, Settings

KEYS = {
    "TOSS_CLIENT_KEY": "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq",
    "TOSS_SECRET_KEY": "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R",
}


@pytest.fixture
def settings_from(monkeypatch, tmp_path):
    def make(**env: str) -> Settings:
        for name in (
            "TOSS_CLIENT_KEY",
            "TOSS_SECRET_KEY",
            "TOSS_API_BASE",
            "TOSS_SDK_SRC",
            "TOSS_INTEGRATION",
            "DATABASE_URL",
        ):
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


def test_widget_mode_with_no_keys_uses_the_sandbox_widget_pair_and_the_v2_script(settings_from):
    from payapp.sandbox.config import SANDBOX_WIDGET_CLIENT_KEY, SANDBOX_WIDGET_SECRET_KEY

    s = settings_from(TOSS_INTEGRATION="widget")
    assert s.widget_mode and s.mounts_sandbox
    # gck for the browser, gsk for the server's confirm (wiring.toss_client uses secret_key)
    assert (s.client_key, s.secret_key) == (SANDBOX_WIDGET_CLIENT_KEY, SANDBOX_WIDGET_SECRET_KEY)
    assert s.sdk_src == SANDBOX_PREFIX + "/js/v2/standard"
    assert settings_from().integration == "window"


def test_a_widget_key_pair_chooses_widget_mode_by_itself(settings_from):
    s = settings_from(
        TOSS_CLIENT_KEY="test_gck_docs_Ovk5rk1EwkEbP0W43n07xlzm",
        TOSS_SECRET_KEY="test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6",
    )
    assert s.integration == "widget" and s.sdk_src == ""  # the v2 loader's default: js.tosspayments.com/v2/standard
    assert s.secret_key == "test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6"
    assert settings_from(**KEYS).integration == "window"


@pytest.mark.parametrize(
    ("client_key", "integration"),
    [("test_gck_docs_Ovk5rk1EwkEbP0W43n07xlzm", "window"), (KEYS["TOSS_CLIENT_KEY"], "widget")],
)
def test_an_integration_against_the_key_family_is_refused_without_echoing_the_keys(
    settings_from, client_key, integration
):
    with pytest.raises(ValueError, match="TOSS_INTEGRATION") as err:
        settings_from(TOSS_CLIENT_KEY=client_key, TOSS_SECRET_KEY="test_sk_verySecret000", TOSS_INTEGRATION=integration)
    assert "verySecret" not in str(err.value)
