"""The payment window page (Korean) and the SDK stand-in script."""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .errors import SandboxError
from .http import own_url
from .payments import with_query

SDK_JS = (Path(__file__).parent / "static" / "sdk.js").read_bytes()

PAGE = Template("""<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
 body{margin:0;font-family:"Noto Sans CJK KR","Apple SD Gothic Neo","Malgun Gothic",sans-serif;background:#f2f4f6;color:#191f28}
 main{max-width:420px;margin:0 auto;background:#fff;min-height:100vh;padding:20px 22px;box-sizing:border-box;position:relative}
 h1{font-size:18px;margin:4px 0 18px}
 .badge{display:inline-block;background:#fff3e0;color:#e65100;border-radius:6px;padding:3px 8px;font-size:12px}
 dl{display:grid;grid-template-columns:88px 1fr;gap:10px 8px;margin:18px 0 24px;font-size:15px}
 dt{color:#6b7684} dd{margin:0;word-break:break-all}
 .amount{font-size:24px;font-weight:700;color:#3182f6}
 button{display:block;width:100%;border:0;border-radius:12px;padding:15px;font-size:16px;margin:10px 0;cursor:pointer}
 .approve{background:#3182f6;color:#fff;font-weight:700} .reject{background:#fdecec;color:#d32f2f}
 .cancel{background:#f2f4f6;color:#4e5968}
 .close{position:absolute;top:12px;right:12px;width:36px;height:36px;padding:0;margin:0;background:none;font-size:22px;color:#8b95a1}
 .err{color:#d32f2f}
</style></head>
<body><main>$body</main></body></html>""")

WINDOW_BODY = Template("""
<button class="close" type="button" aria-label="닫기" id="close">×</button>
<span class="badge">테스트 결제 · 샌드박스</span>
<h1>토스페이먼츠 결제</h1>
<dl>
 <dt>상점</dt><dd>$merchant</dd>
 <dt>주문명</dt><dd>$orderName</dd>
 <dt>주문번호</dt><dd>$orderId</dd>
 <dt>결제수단</dt><dd>$method</dd>
 <dt>결제 금액</dt><dd class="amount">$amount원</dd>
</dl>
<form method="post" action="$action" id="choices">
 <input type="hidden" name="target" value="$target"><input type="hidden" name="mode" value="$mode">
 <button class="approve" name="outcome" value="approve">승인</button>
 <button class="reject" name="outcome" value="reject">카드 거절</button>
 <button class="cancel" name="outcome" value="cancel" id="cancel">결제 취소</button>
</form>
<script>
document.getElementById("close").addEventListener("click", function () {
  if ("$target" === "iframe") { parent.postMessage({type: "tosssandbox:close"}, "*"); }
  else { document.getElementById("cancel").click(); }
});
// A second click must not send a second POST whose error page (the payment is IN_PROGRESS
// by then) replaces the first answer. Chromium drops it by itself; not every browser does.
var sent = false;
document.getElementById("choices").addEventListener("submit", function (event) {
  if (sent) { event.preventDefault(); } sent = true;
});
</script>""")

MESSAGE_BODY = Template("""<p>$text</p><script>parent.postMessage($payload, "*");</script>""")

# The error page must not trap the buyer: in the overlay its button closes the window
# (the SDK rejects with USER_CANCEL), in a whole tab it goes back to the shop.
ERROR_BODY = Template("""<h1>결제를 진행할 수 없습니다</h1><p class="err">$code</p><p>$message</p>
<button class="cancel" type="button" id="back">$label</button>
<script>
document.getElementById("back").addEventListener("click", function () {
  if ("$target" === "iframe") { parent.postMessage({type: "tosssandbox:close"}, "*"); } else { history.back(); }
});
</script>""")

# JSON inside <script>: "</script>" or "<!--" in a merchant's URL must not end the script.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside an inline ``<script>``."""
    return orjson.dumps(value).decode().translate(_SCRIPT_SAFE)


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.substitute(title=html.escape(title), body=body), status_code=status)


def error_page(err: SandboxError, target: str = "self") -> HTMLResponse:
    body = err.body()
    text = ERROR_BODY.substitute(code=html.escape(body["code"]), message=html.escape(body["message"]),
                                 target="iframe" if target == "iframe" else "self",
                                 label="닫기" if target == "iframe" else "이전 페이지로")
    return page("결제 오류", text, status=err.status)


async def sdk(request: Request) -> Response:
    return Response(SDK_JS, media_type="application/javascript; charset=utf-8",
                    headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})


async def show_window(request: Request) -> HTMLResponse:
    """GET: the buyer opens the window; a READY payment is created for it."""
    q = request.query_params
    state = request.app.state
    target = "iframe" if q.get("target") == "iframe" else "self"
    promise = q.get("mode") == "promise"
    params = dict(q)
    pair = state.config.pair_by_client(q.get("clientKey", ""))
    try:
        if pair is None:
            raise SandboxError("UNAUTHORIZED_KEY")
        if ("successUrl" in params) != ("failUrl" in params):
            raise SandboxError("INVALID_REQUEST", "successUrl과 failUrl은 함께 전달해야 합니다",
                               detail_en="successUrl and failUrl must be given together")
        if not promise and "successUrl" not in params:
            # Opened by hand without URLs: land on the sandbox's own result pages.
            params["successUrl"] = own_url(request, "landing", kind="success")
            params["failUrl"] = own_url(request, "landing", kind="fail")
        record = await state.ledger.open_window(pair, params)
    except SandboxError as err:
        return error_page(err, target)
    p = record["payment"]
    body = WINDOW_BODY.substitute(
        merchant=html.escape(pair.merchant_name), orderName=html.escape(p["orderName"]),
        orderId=html.escape(p["orderId"]), method=html.escape(p["method"]),
        amount=f"{p['totalAmount']:,}", target=target,
        mode="promise" if promise else "redirect",
        action=html.escape(own_url(request, "window_action", paymentKey=p["paymentKey"])),
    )
    return page("토스페이먼츠 결제창 (샌드박스)", body)


async def window_action(request: Request) -> Response:
    """POST: the buyer chose 승인, 카드 거절 or 결제 취소."""
    form = await request.form()
    outcome, target, mode = form.get("outcome"), form.get("target"), form.get("mode")
    try:
        record, query = await request.app.state.ledger.window_outcome(request.path_params["paymentKey"], outcome)
    except SandboxError as err:
        return error_page(err, str(target))
    internal = record["internal"]
    if mode == "promise" or not internal["successUrl"]:
        ok = outcome == "approve"
        payload = {"type": "tosssandbox:result", "ok": ok, **query}
        return page("결제 결과", MESSAGE_BODY.substitute(text="처리 중…", payload=script_json(payload)))
    url = with_query(internal["successUrl"] if outcome == "approve" else internal["failUrl"], query)
    if target == "iframe":
        payload = {"type": "tosssandbox:redirect", "url": url}
        link = f'<a href="{html.escape(url)}" target="_top">계속하기</a>'
        return page("이동 중", MESSAGE_BODY.substitute(text=f"이동 중… {link}", payload=script_json(payload)))
    return RedirectResponse(url, status_code=303)


async def landing(request: Request) -> HTMLResponse:
    """Default success/fail target for headless authorizations: shows what arrived."""
    kind = request.path_params["kind"]
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in request.query_params.items())
    title = "결제 인증 완료" if kind == "success" else "결제 실패"
    return page(title, f"<h1>{title}</h1><dl>{rows}</dl>")


routes = [
    Route("/_sandbox/sdk.js", sdk, methods=["GET"]),
    Route("/js/v1", sdk, methods=["GET"]),
    Route("/js/v2/standard", sdk, methods=["GET"]),
    Route("/_sandbox/window", show_window, methods=["GET"]),
    Route("/_sandbox/window/{paymentKey}", window_action, methods=["POST"], name="window_action"),
    Route("/_sandbox/landing/{kind:str}", landing, methods=["GET"], name="landing"),
]


