"""The FastAPI app: payapp's REST API, plus the Toss sandbox mounted when it is in use."""

from __future__ import annotations

from fastapi import FastAPI

from payapp.reconcile.runner import reconciler
from payapp.settings import SANDBOX_PREFIX, get_settings
from payapp.toss.wiring import mounted_sandbox

from . import errors
from .body_limit import BodyLimit
from .routes import admin, auth, payments, products, webhooks

__all__ = ["create_api", "SANDBOX_PREFIX"]


def create_api() -> FastAPI:
    settings = get_settings()
    # The lifespan runs under uvicorn (python -m payapp.api); inside Reflex, payapp.py registers
    # the same reconciler as a Reflex lifespan task (Reflex never runs a mounted app's lifespan).
    api = FastAPI(title="payapp", version="0.1.0", docs_url=None, redoc_url=None, lifespan=lambda _app: reconciler())
    errors.install(api)
    api.add_middleware(BodyLimit)

    @api.get("/v1/health", tags=["health"])
    async def health() -> dict:
        return {"ok": True}

    for module in (auth, products, payments, webhooks, admin):
        api.include_router(module.router)
    if settings.mounts_sandbox:
        api.mount(SANDBOX_PREFIX, mounted_sandbox())
    return api
