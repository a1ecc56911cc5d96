"""A stand-in merchant for browser tests of the SDK, and Toss's script URLs rerouted to the sandbox.

The merchant serves pages written the way Toss's official samples write them: a plain
``<script src="https://js.tosspayments.com/v2/standard">`` (or ``/v1/payment``), then
``TossPayments(clientKey)``. :func:`reroute_toss` answers those script URLs with what the
sandbox serves at the same path under ``/js`` (Playwright's ``page.route``, the usual way to test
an existing page offline): nothing on the page changes, only the network.
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from playwright.sync_api import FrameLocator, Page, expect

WINDOW = 'iframe[data-toss-sandbox="window"]'
RESULT = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><pre id="query">{query}</pre></body></html>"""


class Merchant(ThreadingHTTPServer):
    """Pages by path; ``/success``, ``/fail`` and anything under them echo their query."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages: dict[str, str] = {}
        self.url = f"http://localhost:{self.server_address[1]}"
        self.thread = threading.Thread(target=self.serve_forever, name="test-merchant", daemon=True)
        self.thread.start()

    def page(self, path: str, body: str, **values: Any) -> str:
        """Register a page; ``__NAME__`` placeholders become JSON values. Returns its URL."""
        for name, value in values.items():
            body = body.replace(f"__{name}__", json.dumps(value))
        self.pages[path] = body
        return self.url + path

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(5)


class PageHandler(BaseHTTPRequestHandler):
    """A quiet handler with one way to answer (the test merchants' pages)."""

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Handler(PageHandler):
    server: Merchant

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        if parts.path in self.server.pages:
            self._send(200, "text/html; charset=utf-8", self.server.pages[parts.path].encode())
        elif parts.path.startswith(("/success", "/fail", "/billing", "/widget/success", "/payment/")):
            title = "실패" if parts.path.startswith("/fail") else "도착"
            body = RESULT.format(title=title, query=html.escape(json.dumps(dict(parse_qsl(parts.query)))))
            self._send(200, "text/html; charset=utf-8", body.encode())
        elif parts.path == "/favicon.ico":
            self._send(204, "image/x-icon", b"")
        else:
            self._send(404, "text/plain", b"not found")


def reroute_toss(page: Page, sandbox_url: str) -> list[str]:
    """Serve ``https://js.tosspayments.com/<path>`` from ``<sandbox>/js/<path>``; returns the paths asked."""
    asked: list[str] = []

    def handle(route) -> None:
        path = urlsplit(route.request.url).path
        asked.append(path)
        r = httpx.get(sandbox_url + "/js" + path, timeout=10)
        route.fulfill(
            status=r.status_code, body=r.content, headers={"content-type": r.headers.get("content-type", "text/plain")}
        )

    page.route("https://js.tosspayments.com/**", handle)
    return asked


def payment_window(page: Page) -> FrameLocator:
    expect(page.locator(WINDOW)).to_be_visible()
    return page.frame_locator(WINDOW)


def landed(page: Page, url: str) -> dict[str, str]:
    """Wait for the browser to land on ``url`` (any query) and return that query."""
    page.wait_for_url(lambda current: current.split("?", 1)[0] == url)
    return dict(parse_qsl(urlsplit(page.url).query))


def settled(page: Page) -> tuple[str, Any]:
    """How the page's promise settled, as its ``#result`` shows it: ("resolved"|"rejected", value)."""
    result = page.locator("#result[data-kind]")
    expect(result).to_be_attached()
    return result.get_attribute("data-kind") or "", json.loads(result.text_content() or "null")


# A page's script reports a promise's outcome with this (include it in the page).
SHOW = """<pre id="result"></pre><script>
function show(kind, value) {
  const el = document.getElementById("result");
  el.textContent = JSON.stringify(value ?? null);
  el.dataset.kind = kind;
}
function settle(promise) {
  return promise.then((v) => show("resolved", v),
    (e) => show("rejected", { code: e.code ?? e.name, message: e.message, orderId: e.orderId }));
}
function attempt(fn) {
  try { return settle(Promise.resolve(fn())); } catch (e) { return settle(Promise.reject(e)); }
}
</script>"""
