"""The HTML of the sandbox's windows: the page frame, the window, its error and message pages."""

from __future__ import annotations

import html
from string import Template

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .errors import SandboxError
from .institutions import BANKS
from .jsontypes import Options, Payment

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
<span class="badge">$badge</span>
<h1>$heading</h1>
<form method="post" action="$action" id="choices">
<dl>$rows</dl>
 <input type="hidden" name="target" value="$target"><input type="hidden" name="mode" value="$mode">
 <button class="approve" name="outcome" value="approve">승인</button>
 <button class="reject" name="outcome" value="reject">$rejectLabel</button>
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
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside an inline ``<script>``."""
    return orjson.dumps(value).decode().translate(_SCRIPT_SAFE)


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.substitute(title=html.escape(title), body=body), status_code=status)


def error_page(err: SandboxError, target: str = "self") -> HTMLResponse:
    body = err.body()
    text = ERROR_BODY.substitute(
        code=html.escape(body["code"]),
        message=html.escape(body["message"]),
        target="iframe" if target == "iframe" else "self",
        label="닫기" if target == "iframe" else "이전 페이지로",
    )
    return page("결제 오류", text, status=err.status)


def row(label: str, value_html: str) -> str:
    return f"<dt>{html.escape(label)}</dt><dd>{value_html}</dd>"


def bank_select(default: str) -> str:
    options = "".join(
        f'<option value="{code}"{" selected" if code == default else ""}>{html.escape(name)}</option>'
        for code, name in BANKS.items()
    )
    return f'<select name="bank" aria-label="은행">{options}</select>'


def method_rows(p: Payment, options: Options) -> str:
    """What the window shows for the chosen method: it changes with the method."""
    method = p["method"]
    if method == "가상계좌":
        if "dueDate" in options:
            due = "지정 기한까지"
        else:
            due = f"발급 후 {options.get('validHours', 168)}시간 이내"
        return (
            row("입금 은행", bank_select("20"))
            + row("입금 기한", html.escape(due))
            + row("안내", "승인하면 입금할 가상계좌가 발급됩니다.")
        )
    if method == "계좌이체":
        return row("출금 은행", bank_select("92"))
    if method == "휴대폰":
        phone = options.get("customerMobilePhone")
        return row("휴대폰 번호", html.escape(phone[:3] + "-****-" + phone[-4:] if phone else "입력 필요"))
    if method == "간편결제":
        return row("결제 서비스", html.escape(options.get("easyPay", "토스페이")))
    if method == "카드":
        months = options.get("installmentPlanMonths", 0)
        return row("할부", "일시불" if not months else f"{months}개월")
    return ""


def window_page(
    request: Request,
    *,
    heading: str,
    rows: str,
    action: str,
    target: str,
    promise: bool,
    reject_label: str,
    badge: str = "테스트 결제 · 샌드박스",
) -> HTMLResponse:
    body = WINDOW_BODY.substitute(
        badge=html.escape(badge),
        heading=html.escape(heading),
        rows=rows,
        target=target,
        mode="promise" if promise else "redirect",
        action=html.escape(action),
        rejectLabel=html.escape(reject_label),
    )
    return page("토스페이먼츠 결제창 (샌드박스)", body)
