"""The FastAPI app: payapp's REST API, plus the Toss sandbox mounted when it is in use."""

from __future__ import annotations

from fastapi import FastAPI

from payapp.sandbox import SandboxConfig, create_app as create_sandbox
from payapp.settings import get_settings

SANDBOX_PREFIX = "/toss-sandbox"


def create_api() -> FastAPI:
    settings = get_settings()
    api = FastAPI(title="payapp", version="0.1.0", docs_url=None, redoc_url=None)

    @api.get("/v1/health")
    async def health() -> dict:
        return {"ok": True}

    if settings.mounts_sandbox:
        api.mount(SANDBOX_PREFIX, create_sandbox(SandboxConfig(redis_url=settings.sandbox_redis_url)))
    return api
