"""Shared HTTP helpers: JSON responses, Basic auth as Toss parses it, language choice."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Mapping

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from .config import KeyPair, SandboxConfig
from .errors import SandboxError
from .jsontypes import JSONObject


class JSON(Response):
    media_type = "application/json"

    def render(self, content: object) -> bytes:
        return orjson.dumps(content)

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        if headers is None:  # the common case, without Starlette's general bookkeeping: same headers
            self.raw_headers = [
                (b"content-length", str(len(self.body)).encode()),
                (b"content-type", b"application/json"),
            ]
        else:
            super().init_headers(headers)


def route_path(request: Request) -> str:
    """The path inside the sandbox, without the prefix it may be mounted under.

    Faults, the request log and idempotency scopes all use it, so that
    ``/v1/payments/confirm`` means the same thing whether the sandbox runs on its own
    or as ``Mount("/toss-sandbox", app=create_app())``.
    """
    path: str = request.scope["path"]
    root = _root_path(request)
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def own_url(request: Request, name: str, **params: str) -> str:
    """Absolute URL of one of the sandbox's own named routes, prefix included.

    ``request.url_for`` resolves names from the outermost router and fails when the
    sandbox is mounted under a named Mount; the sandbox app itself always knows them.
    """
    path = _route_path(request.app, name, tuple(params.items()))
    root = _root_path(request).rstrip("/")
    return _origin(request) + root + path


def base_url(request: Request) -> str:
    """The sandbox's own absolute base URL as this request reached it (mount prefix included)."""
    return _origin(request) + _root_path(request).rstrip("/")


def _root_path(request: Request) -> str:
    """The prefix the sandbox is mounted under ("" on its own)."""
    root: str = request.scope.get("root_path", "")
    return root


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _origin(request: Request) -> str:
    """``scheme://host[:port]`` exactly as ``request.url`` has it, without parsing a whole URL."""
    scope = request.scope
    scheme = scope.get("scheme", "http")
    for key, value in scope["headers"]:
        if key == b"host":
            host = value.decode("latin-1")
            if any(c in host for c in "/?#@\\"):  # odd Host header: let Starlette parse it
                url = request.url
                return f"{url.scheme}://{url.netloc}"
            return f"{scheme}://{host}"
    server = scope.get("server")
    if server is None:
        return ""
    host, port = server
    return f"{scheme}://{host}" if port == _DEFAULT_PORTS.get(scheme) else f"{scheme}://{host}:{port}"


@functools.lru_cache(maxsize=1024)
def _route_path(app: Starlette, name: str, params: tuple[tuple[str, str], ...]) -> str:
    # url_path_for tries every route in turn, each failure an exception: a fifth of the
    # server's time in a headless authorize, whose landing URLs are the same every time.
    return str(app.url_path_for(name, **dict(params)))


def english(request: Request) -> bool:
    return request.headers.get("accept-language", "").lower().startswith("en")


def error_response(request: Request, err: SandboxError) -> JSON:
    return JSON(err.body(english(request)), status_code=err.status)


def authenticate(request: Request, config: SandboxConfig) -> KeyPair:
    """Resolve ``Authorization: Basic base64(secretKey + ":")`` to a key pair.

    Missing or unknown key → 401 UNAUTHORIZED_KEY; a header that is not Basic, not
    base64, or lacks the ``:`` → 403 INCORRECT_BASIC_AUTH_FORMAT. Unpadded base64
    is accepted, as some public clients send it.
    """
    header = request.headers.get("authorization")
    if not header:
        raise SandboxError("UNAUTHORIZED_KEY")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise SandboxError("INCORRECT_BASIC_AUTH_FORMAT")
    value = value.strip()
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise SandboxError("INCORRECT_BASIC_AUTH_FORMAT") from None
    if ":" not in decoded:
        raise SandboxError("INCORRECT_BASIC_AUTH_FORMAT")
    pair = config.pair_by_secret(decoded.split(":", 1)[0])
    if pair is None:
        raise SandboxError("UNAUTHORIZED_KEY")
    return pair


async def json_body(request: Request) -> JSONObject:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise SandboxError(
            "INVALID_REQUEST", "본문이 올바른 JSON이 아닙니다", detail_en="the body is not valid JSON"
        ) from None
    if not isinstance(body, dict):
        raise SandboxError("INVALID_REQUEST", "본문은 JSON 객체여야 합니다", detail_en="the body must be a JSON object")
    return body
