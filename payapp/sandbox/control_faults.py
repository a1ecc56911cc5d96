"""The control API's faults (``/_sandbox/faults``): rules that make the next calls of a path slow,
fail with an error code, lose their answer, or refuse for real (sticky), one call or a chain.

The rules live in the store; ``endpoint`` takes the next step of a matching rule on each call.
"""

from __future__ import annotations

from starlette.requests import Request

from .appstate import store_of
from .errors import CATALOG, SandboxError
from .http import JSON, json_body
from .jsontypes import JSONObject


def _step(item: object) -> JSONObject:
    if item == "ok":
        return {}
    if isinstance(item, str):
        item = {"errorCode": item}
    if not isinstance(item, dict):
        raise SandboxError(
            "INVALID_REQUEST",
            "chain 항목은 'ok', 에러 코드, 또는 객체입니다",
            detail_en="a chain item is 'ok', an error code or an object",
        )
    step = {
        k: item[k] for k in ("errorCode", "status", "latencyMs", "lostResponse", "sticky") if item.get(k) is not None
    }
    if "sticky" in step:  # true, or left out: a step that is not sticky says nothing of it
        if step["sticky"] is not True:
            del step["sticky"]
    code = step.get("errorCode")
    if step.get("sticky") and (code is None or step.get("lostResponse")):
        raise SandboxError(
            "INVALID_REQUEST",
            "sticky: errorCode와 함께, lostResponse 없이",
            detail_en="sticky: with an errorCode and without lostResponse",
        )
    if code is not None and code not in CATALOG and "status" not in step:
        raise SandboxError(
            "INVALID_REQUEST",
            f"알 수 없는 에러 코드 {code}: status를 함께 주세요",
            detail_en=f"unknown error code {code}: give a status too",
        )
    latency = step.get("latencyMs")
    if latency is not None and (not isinstance(latency, (int, float)) or latency < 0):
        raise SandboxError("INVALID_REQUEST", "latencyMs: 0 이상의 숫자", detail_en="latencyMs: a number of 0 or more")
    return step


async def faults(request: Request) -> JSON:
    """Faults for the next calls of a path: latency, an error, a chain, a lost response."""
    store = store_of(request)
    if request.method == "DELETE":
        await store.clear_faults()
        return JSON({"ok": True})
    if request.method == "GET":
        data = await store.list_faults()
        return JSON({"data": data, "count": len(data)})
    body = await json_body(request)
    path = body.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise SandboxError(
            "INVALID_REQUEST",
            "path: '/'로 시작하는 경로 (와일드카드 * 허용)",
            detail_en="path: a path starting with '/' (wildcard * allowed)",
        )
    if "chain" in body:
        if not isinstance(body["chain"], list) or not body["chain"]:
            raise SandboxError("INVALID_REQUEST", "chain: 비어 있지 않은 배열", detail_en="chain: a non-empty array")
        steps = [_step(item) for item in body["chain"]]
    else:
        times = body.get("times", 1)
        if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 10_000:
            raise SandboxError(
                "INVALID_REQUEST", "times: 1 이상 10000 이하의 정수", detail_en="times: an integer from 1 to 10000"
            )
        step = _step(body)
        if not step:
            raise SandboxError(
                "INVALID_REQUEST",
                "errorCode, latencyMs, lostResponse 중 하나는 필요합니다",
                detail_en="one of errorCode, latencyMs, lostResponse is needed",
            )
        steps = [step] * (1 if body.get("forever") else times)
    rule = {
        "path": path,
        "method": (body.get("method") or "").upper() or None,
        "forever": bool(body.get("forever")) and "chain" not in body,
    }
    return JSON(await store.add_fault(rule, steps), status_code=201)
