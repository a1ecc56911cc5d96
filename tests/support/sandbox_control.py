"""What the production-defaults tests check of a sandbox, over HTTP or in-process: its control
API answers 404 everywhere when closed, and its payment window still takes a buyer's 승인."""

from __future__ import annotations

import re

# Every call of the control API, as (method, path): each must answer 404 when it is closed.
CONTROL_CALLS = [
    ("POST", "/_sandbox/reset"),
    ("GET", "/_sandbox/payments"),
    ("GET", "/_sandbox/requests"),
    ("GET", "/_sandbox/clock"),
    ("POST", "/_sandbox/clock"),
    ("GET", "/_sandbox/faults"),
    ("POST", "/_sandbox/faults"),
    ("DELETE", "/_sandbox/faults"),
    ("GET", "/_sandbox/webhooks"),
    ("POST", "/_sandbox/webhooks"),
    ("DELETE", "/_sandbox/webhooks"),
    ("GET", "/_sandbox/webhooks/deliveries"),
    ("POST", "/_sandbox/webhooks/flush"),
    ("GET", "/_sandbox/idempotency"),
]
# The buyer's answer in the window form: 승인, the page itself redirected to the landing page.
APPROVE = {"outcome": "approve", "target": "self", "mode": "redirect"}


def control_body(method: str) -> dict | None:
    """A body a POST would be accepted with if the API were open: closed, it is still 404."""
    return {"path": "/v1/*", "errorCode": "PROVIDER_ERROR"} if method == "POST" else None


def window_action(page: str) -> str:
    """Where the payment window's form posts the buyer's answer."""
    found = re.search(r'action="([^"]+)"', page)
    assert found, page
    return found.group(1)
