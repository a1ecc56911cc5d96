"""Which Toss this process talks to, decided once from settings.

- No keys and no TOSS_API_BASE: the sandbox mounted inside this app (``/toss-sandbox``);
  the client reaches it in-process through ``httpx.ASGITransport`` (same state, no hop).
  With SANDBOX_CONTROL off (production's default) only its buyer's part is mounted: the
  window, SDK script and authorize; its /v1 API and control API are the app's alone.
- TOSS_API_BASE set: that server (a sandbox process in tests, or a proxy).
- Keys set, no TOSS_API_BASE: the real Toss API.
"""

from __future__ import annotations

from functools import lru_cache

import httpx
from starlette.applications import Starlette

from payapp.sandbox import SandboxConfig, buyer_app, create_app
from payapp.settings import REAL_TOSS_API, get_settings

from .client import TossClient

EMBEDDED_BASE = "http://embedded-toss-sandbox"


@lru_cache
def embedded_sandbox() -> Starlette:
    """The whole sandbox: what the app's Toss client calls in-process."""
    settings = get_settings()
    return create_app(
        SandboxConfig(
            redis_url=settings.sandbox_redis_url,
            control=settings.sandbox_control_open,
            webhook_hosts=settings.sandbox_webhook_allowlist,
        )
    )


def mounted_sandbox() -> Starlette:
    """What the app serves at /toss-sandbox: all of it, or only its buyer's part."""
    sandbox = embedded_sandbox()
    return sandbox if get_settings().sandbox_control_open else buyer_app(sandbox)


@lru_cache
def toss_client() -> TossClient:
    settings = get_settings()
    if settings.mounts_sandbox:
        return TossClient(
            EMBEDDED_BASE,
            settings.secret_key,
            settings.toss_timeout_seconds,
            transport=httpx.ASGITransport(app=embedded_sandbox()),
        )
    return TossClient(settings.toss_api_base or REAL_TOSS_API, settings.secret_key, settings.toss_timeout_seconds)
