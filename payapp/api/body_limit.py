"""Every request body is capped (1 MiB; 64 KiB for Toss's webhooks): past it, 413
``PAYLOAD_TOO_LARGE`` before a route reads it. A pure ASGI middleware, so it also counts a
chunked body that sends no Content-Length, and stops reading at the cap."""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from payapp.services.error_catalog import Code
from payapp.services.errors import ServiceError

MAX_BODY = 1024 * 1024
WEBHOOK_PREFIX = "/v1/webhooks/"
MAX_WEBHOOK_BODY = 64 * 1024  # a Toss event is a few KiB


class TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = MAX_WEBHOOK_BODY if scope["path"].startswith(WEBHOOK_PREFIX) else self.max_body
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > cap):
            await _too_large(send, cap)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except TooLarge:
            if not started:
                await _too_large(send, cap)


async def _too_large(send: Send, cap: int) -> None:
    error = ServiceError.of(Code.PAYLOAD_TOO_LARGE, kib=cap // 1024)
    body = orjson.dumps(error.body())
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
