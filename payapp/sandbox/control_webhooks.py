"""The control API's webhook side (``/_sandbox/webhooks``): the targets events go to, the
deliveries made, and a flush that sends every retry due now."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from .appstate import config_of, ledger_of, store_of, webhooks_of
from .errors import SandboxError
from .http import JSON, json_body
from .webhooks import EVENT_TYPES


async def webhooks(request: Request) -> JSON:
    """Webhook targets: where PAYMENT_STATUS_CHANGED and DEPOSIT_CALLBACK events are sent."""
    store = store_of(request)
    if request.method == "DELETE":
        await store.clear_webhook_targets()
        return JSON({"ok": True})
    if request.method == "POST":
        body = await json_body(request)
        url = body.get("url")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise SandboxError(
                "INVALID_REQUEST", "url: http(s)로 시작하는 절대 URL", detail_en="url: an absolute http(s) URL"
            )
        config = config_of(request)
        if not config.webhook_url_allowed(url):
            host, others = urlsplit(url).hostname, "".join(f", {h}" for h in config.webhook_hosts or ())
            raise SandboxError(
                "WEBHOOK_HOST_NOT_ALLOWED",
                f"{host}: 허용되는 호스트는 루프백(127.0.0.0/8, ::1, localhost){others}",
                detail_en=f"{host}: allowed are loopback (127.0.0.0/8, ::1, localhost){others}",
            )
        events = body.get("events") or list(EVENT_TYPES)
        if not isinstance(events, list) or not set(events) <= set(EVENT_TYPES):
            raise SandboxError(
                "INVALID_REQUEST",
                f"events: {', '.join(EVENT_TYPES)} 중에서",
                detail_en=f"events: from {', '.join(EVENT_TYPES)}",
            )
        target = {"url": url, "events": sorted(set(events))}
        await store.add_webhook_target(target)
        return JSON(target, status_code=201)
    data = await store.webhook_targets()
    return JSON({"data": data, "count": len(data)})


async def webhook_deliveries(request: Request) -> JSON:
    data = await store_of(request).deliveries()
    if order_id := request.query_params.get("orderId"):
        data = [d for d in data if d["orderId"] == order_id]
    return JSON({"data": data, "count": len(data)})


async def webhook_flush(request: Request) -> JSON:
    """Expire what is due, send every retry due now, and wait for this process's deliveries."""
    webhooks = webhooks_of(request)
    expired = await ledger_of(request).expire_due()
    retried = await webhooks.send_due()
    await webhooks.drain()
    return JSON({"expired": expired, "retried": retried})
