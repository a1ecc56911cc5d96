"""The sandbox as an ASGI app: ``create_app(config)``.

Usable in-process (``httpx.ASGITransport(app=create_app())``), served on its own
(``python -m payapp.sandbox``) or mounted under a prefix inside another app — whole, or
only its buyer's part (``buyer_app``) where the public can reach it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from . import api, control, window
from .config import SandboxConfig
from .errors import SandboxError
from .http import JSON, english
from .ledger_core import RecordStore
from .payments import Ledger
from .store import MemoryStore, RedisStore
from .webhooks import Webhooks


async def _not_found(request: Request, exc: Exception) -> Response:
    # Registered for HTTPException only (Starlette's handler type takes any Exception).
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        text = "Method not allowed." if english(request) else "허용되지 않은 HTTP 메서드입니다."
        return JSON({"code": "METHOD_NOT_ALLOWED", "message": text}, status_code=405)
    err = SandboxError("NOT_FOUND", status=status)
    return JSON(err.body(english(request)), status_code=status)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """Build a sandbox; state in memory, or in Redis when ``config.redis_url`` is set."""
    config = config or SandboxConfig()
    store: RecordStore
    if config.redis_url:
        store = RedisStore(config.redis_url, config.redis_prefix, config.request_log_size, config.retention)
    else:
        store = MemoryStore(config.request_log_size, config.retention)
    ledger = Ledger(store, config)
    webhooks = Webhooks(store, ledger.now, config.webhook_url_allowed)
    ledger.on_change = webhooks.payment_changed

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        webhooks.cancel_all()  # deliveries in flight do not outlive the server

    app = Starlette(
        routes=[
            *api.routes,
            *control.public_routes,
            *(control.control_routes if config.control else ()),
            *window.routes,
        ],
        exception_handlers={HTTPException: _not_found},
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.store = store
    app.state.ledger = ledger
    app.state.webhooks = webhooks
    return app


def buyer_app(app: Starlette) -> Starlette:
    """What a buyer's browser needs of ``app``, to mount where anyone can reach it.

    The payment and 자동결제 windows (their form posts and landing pages), the SDK scripts
    (``/js/...``), authorize and
    health, on ``app``'s state; the ``/v1`` REST API and the control API answer 404. The
    shop keeps calling ``/v1`` in-process through ``app`` itself (``httpx.ASGITransport``).
    """
    view = Starlette(routes=[*control.public_routes, *window.routes], exception_handlers={HTTPException: _not_found})
    view.state = app.state
    return view
