"""The payment window pages (Korean) and the SDK stand-in script.

The script is served at Toss's own script paths under ``/js`` (``/js/v1/payment``,
``/js/v1/payment-widget``, ``/js/v2/standard``, plus ``/js/v1`` and ``/_sandbox/sdk.js``) with
the sandbox's absolute base URL written in: from ``SandboxConfig.public_url``, or from the
request that fetched it (its origin and the prefix the sandbox is mounted under). A copy served
in place of ``https://js.tosspayments.com/v2/standard`` therefore still opens this window.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from . import billing
from .appstate import config_of, ledger_of
from .errors import SandboxError
from .http import base_url, own_url
from .institutions import BANKS
from .jsontypes import JSONObject
from .pages import MESSAGE_BODY, error_page, method_rows, page, row, script_json, window_page
from .payment_object import with_query

SDK_JS = (Path(__file__).parent / "static" / "sdk.js").read_bytes()


@functools.lru_cache(maxsize=64)
def sdk_script(base: str, fixed: bool) -> bytes:
    """The SDK with the sandbox's base written in (``fixed``: a configured URL, used as is)."""
    return SDK_JS.replace(b"__SANDBOX__", script_json({"base": base, "fixed": fixed}).encode(), 1)


async def sdk(request: Request) -> Response:
    public = config_of(request).public_url
    body = sdk_script(public.rstrip("/"), True) if public else sdk_script(base_url(request), False)
    return Response(
        body,
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"},
    )


def _request_params(request: Request) -> JSONObject:
    """The window's query; ``extra`` (JSON) carries the request's other fields (metadata, options)."""
    params: JSONObject = dict(request.query_params)
    extra = params.pop("extra", None)
    if extra:
        try:
            decoded = orjson.loads(extra)
        except orjson.JSONDecodeError:
            decoded = None
        if not isinstance(decoded, dict):
            raise SandboxError("INVALID_REQUEST", "extra: JSON 객체", detail_en="extra: a JSON object")
        params.update({k: v for k, v in decoded.items() if k not in params})
    return params


def _landing_defaults(request: Request, params: JSONObject, promise: bool) -> None:
    if ("successUrl" in params) != ("failUrl" in params):
        raise SandboxError(
            "INVALID_REQUEST",
            "successUrl과 failUrl은 함께 전달해야 합니다",
            detail_en="successUrl and failUrl must be given together",
        )
    if not promise and "successUrl" not in params:
        # Opened by hand without URLs: land on the sandbox's own result pages.
        params["successUrl"] = own_url(request, "landing", kind="success")
        params["failUrl"] = own_url(request, "landing", kind="fail")


async def show_window(request: Request) -> HTMLResponse:
    """GET: the buyer opens the window; a READY payment is created for it."""
    q = request.query_params
    target = "iframe" if q.get("target") == "iframe" else "self"
    promise = q.get("mode") == "promise"
    pair = config_of(request).pair_by_client(q.get("clientKey", ""))
    integration = q.get("integration")
    try:
        if pair is None:
            raise SandboxError("UNAUTHORIZED_KEY")
        params = _request_params(request)
        _landing_defaults(request, params, promise)
        widget = True if integration == "widget" else False if integration == "payment" else None
        record = await ledger_of(request).open_window(pair, params, widget)
    except SandboxError as err:
        return error_page(err, target)
    p = record["payment"]
    rows = (
        row("상점", html.escape(pair.merchant_name))
        + row("주문명", html.escape(p["orderName"]))
        + row("주문번호", html.escape(p["orderId"]))
        + row("결제수단", html.escape(p["method"]))
        + method_rows(p, record["internal"].get("options") or {})
        + f'<dt>결제 금액</dt><dd class="amount">{p["totalAmount"]:,}원</dd>'
    )
    return window_page(
        request,
        heading="토스페이먼츠 결제",
        rows=rows,
        target=target,
        promise=promise,
        action=own_url(request, "window_action", paymentKey=p["paymentKey"]),
        reject_label="카드 거절" if p["method"] in ("카드", "간편결제") else "결제 거절",
        badge="테스트 결제 · 결제위젯 · 샌드박스" if integration == "widget" else "테스트 결제 · 샌드박스",
    )


def _finish(target: object, mode: object, url: str | None, ok: bool, query: Mapping[str, object]) -> Response:
    """Leave the window: a promise message, a redirect of the whole page, or the tab itself."""
    if mode == "promise" or not url:
        payload = {"type": "tosssandbox:result", "ok": ok, **query}
        return page("결제 결과", MESSAGE_BODY.substitute(text="처리 중…", payload=script_json(payload)))
    if target == "iframe":
        payload = {"type": "tosssandbox:redirect", "url": url}
        link = f'<a href="{html.escape(url)}" target="_top">계속하기</a>'
        return page("이동 중", MESSAGE_BODY.substitute(text=f"이동 중… {link}", payload=script_json(payload)))
    return RedirectResponse(url, status_code=303)


async def window_action(request: Request) -> Response:
    """POST: the buyer chose 승인, 카드 거절 or 결제 취소."""
    form = await request.form()
    outcome, target, mode, bank = form.get("outcome"), form.get("target"), form.get("mode"), form.get("bank")
    choices = {"bank": bank} if isinstance(bank, str) and bank in BANKS else None
    try:
        record, query = await ledger_of(request).window_outcome(
            request.path_params["paymentKey"], str(outcome), choices
        )
    except SandboxError as err:
        return error_page(err, str(target))
    internal, ok = record["internal"], outcome == "approve"
    base = internal["successUrl"] if ok else internal["failUrl"]
    return _finish(target, mode, with_query(base, query) if base else None, ok, query)


async def show_billing_window(request: Request) -> HTMLResponse:
    """GET: requestBillingAuth opened the 자동결제 registration window."""
    q = request.query_params
    target = "iframe" if q.get("target") == "iframe" else "self"
    promise = q.get("mode") == "promise"
    pair = config_of(request).pair_by_client(q.get("clientKey", ""))
    try:
        if pair is None:
            raise SandboxError("UNAUTHORIZED_KEY")
        params: JSONObject = dict(q)
        _landing_defaults(request, params, promise)
        customer_key, method = billing.check_request(pair, params)
        session = await billing.open_auth(ledger_of(request), pair, params)
    except SandboxError as err:
        return error_page(err, target)
    rows = (
        row("상점", html.escape(pair.merchant_name))
        + row("등록 수단", "카드 자동결제" if method == "카드" else "계좌 자동결제")
        + row("구매자", html.escape(q.get("customerName") or customer_key))
    )
    return window_page(
        request,
        heading="자동결제 등록",
        rows=rows,
        target=target,
        promise=promise,
        action=own_url(request, "billing_action", session=session),
        reject_label="카드 거절" if method == "카드" else "결제 거절",
    )


async def billing_action(request: Request) -> Response:
    form = await request.form()
    outcome, target, mode = form.get("outcome"), form.get("target"), form.get("mode")
    try:
        record, query = await billing.auth_outcome(ledger_of(request), request.path_params["session"], str(outcome))
    except SandboxError as err:
        return error_page(err, str(target))
    ok = outcome == "approve"
    base = record["successUrl"] if ok else record["failUrl"]
    return _finish(target, mode, with_query(base, query) if base else None, ok, query)


async def landing(request: Request) -> HTMLResponse:
    """Default success/fail target for headless authorizations: shows what arrived."""
    kind = request.path_params["kind"]
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in request.query_params.items())
    title = "결제 인증 완료" if kind == "success" else "결제 실패"
    return page(title, f"<h1>{title}</h1><dl>{rows}</dl>")


# Toss's script paths: js.tosspayments.com/v1 (v1 loader), /v1/payment, /v1/payment-widget,
# /v2/standard (v2 loader), under /js; and the sandbox's own /_sandbox/sdk.js.
SCRIPT_PATHS = ("/_sandbox/sdk.js", "/js/v1", "/js/v1/payment", "/js/v1/payment-widget", "/js/v2/standard")

routes = [
    *(Route(path, sdk, methods=["GET"]) for path in SCRIPT_PATHS),
    Route("/_sandbox/window", show_window, methods=["GET"]),
    Route("/_sandbox/window/{paymentKey}", window_action, methods=["POST"], name="window_action"),
    Route("/_sandbox/billing/window", show_billing_window, methods=["GET"]),
    Route("/_sandbox/billing/window/{session}", billing_action, methods=["POST"], name="billing_action"),
    Route("/_sandbox/landing/{kind:str}", landing, methods=["GET"], name="landing"),
]
