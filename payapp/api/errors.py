"""Every error leaves the API as ``{code, message}``; a user's mistake is never a 500."""

from __future__ import annotations

import logging

import redis.exceptions
import sqlalchemy.exc as sa_exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from payapp.services.errors import Code, ServiceError

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


def answer(exc: ServiceError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer", **exc.headers} if exc.status == 401 else exc.headers
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers or None)


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    return answer(exc)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for err in exc.errors()[:5]:
        where = ".".join(str(part) for part in err.get("loc", ()) if part != "body") or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return answer(ServiceError.of(Code.INVALID_REQUEST, "요청이 올바르지 않습니다. " + "; ".join(problems)))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    code = {404: Code.NOT_FOUND, 405: Code.METHOD_NOT_ALLOWED}.get(exc.status_code, Code.HTTP_ERROR)
    refused = ServiceError.of(code, str(exc.detail), headers=exc.headers)
    refused.status = exc.status_code  # HTTP_ERROR's status is whatever the framework said
    return answer(refused)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # Redis or the database is down or its pool stayed busy: nothing was half-written (every
    # write is one transaction, and the intent row comes before Toss), so the client may retry.
    log.warning("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    return answer(ServiceError.of(Code.SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return answer(ServiceError.of(Code.INTERNAL_ERROR))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for outage in UNAVAILABLE:
        app.add_exception_handler(outage, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
