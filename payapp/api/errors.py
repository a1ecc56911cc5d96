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
from payapp.services.inputs import explain

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


def as_service_error(request: Request, exc: Exception) -> ServiceError:
    """What the client is told of ``exc``: always a catalog code (or Toss's, passed through)."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, RequestValidationError):
        # The same message a page gets from ``Input.parse``: the broken rule's, in Korean.
        return ServiceError.of(Code.INVALID_REQUEST, explain(exc.errors()))
    if isinstance(exc, HTTPException):
        code = {404: Code.NOT_FOUND, 405: Code.METHOD_NOT_ALLOWED}.get(exc.status_code, Code.HTTP_ERROR)
        refused = ServiceError.of(code, str(exc.detail), headers=exc.headers)
        refused.status = exc.status_code  # HTTP_ERROR's status is whatever the framework said
        return refused
    if isinstance(exc, UNAVAILABLE):
        # Redis or the database is down or its pool stayed busy: nothing was half-written (every
        # write is one transaction, and the intent row comes before Toss), so the client may retry.
        log.warning("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return ServiceError.of(Code.SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return ServiceError.of(Code.INTERNAL_ERROR)


async def _answer(request: Request, exc: Exception) -> JSONResponse:
    return answer(as_service_error(request, exc))


def install(app: FastAPI) -> None:
    for kind in (ServiceError, RequestValidationError, HTTPException, *UNAVAILABLE, Exception):
        app.add_exception_handler(kind, _answer)
