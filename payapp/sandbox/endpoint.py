"""The pipeline every ``/v1`` call passes through, in order: fault errors (they stand for the
network, so they come first and are never remembered), Basic auth, ``TossPayments-Test-Code``,
``Idempotency-Key``, fault latency, then the operation. Each call is written to the request log.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from .appstate import config_of, store_of
from .errors import CATALOG, SandboxError
from .http import JSON, authenticate, english, json_body, route_path
from .idempotency import Body, Op, idempotent
from .jsontypes import JSONObject, Refusal
from .payment_object import iso


async def _hang_until_gone(request: Request, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not await request.is_disconnected():
        await asyncio.sleep(0.05)


def endpoint(op: Op, refusable: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for ``op``. ``refusable``: a sticky fault is handed to ``op``, which
    records Toss's refusal itself (the confirm: the payment becomes ABORTED), instead of being
    answered in its place."""

    async def handle(request: Request) -> Response:
        store, config = store_of(request), config_of(request)
        path = route_path(request)
        entry: JSONObject = {
            "at": iso(time.time()),
            "method": request.method,
            "path": path,
            "idempotencyKey": request.headers.get("idempotency-key"),
            "replayed": False,
            "fault": None,
            "mId": None,
        }
        lost = False
        body: Body
        try:
            step = await store.take_fault(request.method, path) if store.may_have_faults() else None
            if step:
                entry["fault"] = step
                if step.get("sticky"):
                    # Toss's own refusal, not the network's: past auth and into the
                    # idempotent section, where the operation may record it (a confirm
                    # leaves the payment ABORTED) and the answer is kept under the key.
                    refusal: Refusal = {"errorCode": step["errorCode"], "status": step.get("status")}
                    request.scope["sandbox.refusal"] = refusal
                elif step.get("errorCode"):
                    if step.get("latencyMs"):  # a slow failure: wait, then fail
                        await asyncio.sleep(step["latencyMs"] / 1000)
                    raise SandboxError(step["errorCode"], status=step.get("status"))
                lost = bool(step.get("lostResponse"))
            pair = authenticate(request, config)
            entry["mId"] = pair.mid
            test_code = request.headers.get("tosspayments-test-code")
            if test_code and pair.is_test:
                raise SandboxError(test_code, status=None if test_code in CATALOG else 400)
            latency = (step or {}).get("latencyMs")
            status, body = await idempotent(request, op, pair, entry, latency, refusable)
        except SandboxError as err:
            status, body = err.status, err.body(english(request))
        entry["status"] = status
        entry["code"] = body.get("code") if status >= 400 and isinstance(body, dict) else None
        if request.method == "POST":
            entry["body"] = await _logged_body(request)
        await store.log_request(entry)
        if lost:
            await _hang_until_gone(request, config.lost_response_hang)
        headers = {"X-Sandbox-Idempotent-Replay": "true"} if entry["replayed"] else None
        if body is None:  # DELETE /v1/billing/{billingKey}: 200 with an empty body
            return Response(b"", status_code=status, headers=headers)
        return JSON(body, status_code=status, headers=headers)

    return handle


async def _logged_body(request: Request) -> JSONObject | None:
    try:
        return await json_body(request)
    except SandboxError:
        return None
