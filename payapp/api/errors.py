"""Every error leaves the API as ``{code, message}``; a user's mistake is never a 500."""

from __future__ import annotations

import logging

import redis.exceptions
import sqlalchemy.exc as sa_exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from payapp.services.errors import ServiceError

log = logging.getLogger("payapp.api")
RETRY_AFTER_SECONDS = 2
# Our own parts unavailable (down, cut, or a pool that stayed busy): 503, not 500.
UNAVAILABLE = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    sa_exc.OperationalError,
    sa_exc.TimeoutError,
    sa_exc.InterfaceError,
)


def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer", **exc.headers} if exc.status == 401 else exc.headers
    return error(exc.status, exc.code, exc.message, headers or None)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for err in exc.errors()[:5]:
        where = ".".join(str(part) for part in err.get("loc", ()) if part != "body") or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return error(400, "INVALID_REQUEST", "요청이 올바르지 않습니다. " + "; ".join(problems))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
    return error(exc.status_code, codes.get(exc.status_code, "HTTP_ERROR"), str(exc.detail))


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # Redis or the database is down or its pool stayed busy: nothing was half-written (every
    # write is one transaction, and the intent row comes before Toss), so the client may retry.
    log.warning("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    return error(
        503,
        "SERVICE_UNAVAILABLE",
        "일시적으로 요청을 처리할 수 없습니다. 잠시 후 다시 시도해주세요.",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error(500, "INTERNAL_ERROR", "일시적인 서버 오류입니다. 잠시 후 다시 시도해주세요.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for outage in UNAVAILABLE:
        app.add_exception_handler(outage, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
