"""Steps every sandbox test repeats: the headless buyer, a confirmed payment, fresh order ids."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx

from tests.conftest import DOCS_CLIENT_KEY

T = TypeVar("T")
HANGUL = re.compile(r"[가-힣]")


def order_id(tag: str = "order") -> str:
    return f"{tag}-{uuid.uuid4().hex[:16]}"


def authorize(
    client: httpx.Client,
    amount: int = 15000,
    client_key: str = DOCS_CLIENT_KEY,
    outcome: str = "approve",
    method: str = "카드",
    **extra: object,
) -> dict:
    """The buyer opens the window and picks ``outcome``; returns the control API's answer."""
    body = {
        "clientKey": client_key,
        "method": method,
        "amount": amount,
        "orderId": order_id(),
        "orderName": "텀블러 외 2건",
        "outcome": outcome,
        **extra,
    }
    r = client.post("/_sandbox/authorize", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def confirm(client: httpx.Client, auth: dict, headers: dict, **override: object) -> httpx.Response:
    body = {"paymentKey": auth["paymentKey"], "orderId": auth["orderId"], "amount": auth["amount"], **override}
    return client.post("/v1/payments/confirm", headers=headers, json=body)


def paid(client: httpx.Client, headers: dict, amount: int = 15000, client_key: str = DOCS_CLIENT_KEY) -> dict:
    """A DONE card payment, as the confirm response gave it."""
    r = confirm(client, authorize(client, amount, client_key), headers)
    assert r.status_code == 200, r.text
    return r.json()


def cancel(
    client: httpx.Client,
    payment_key: str,
    headers: dict,
    amount: int | str | None = None,
    reason: str = "고객 요청",
    **extra: object,
) -> httpx.Response:
    body: dict = {"cancelReason": reason, **extra}
    if amount is not None:
        body["cancelAmount"] = amount
    return client.post(f"/v1/payments/{payment_key}/cancel", headers=headers, json=body)


def assert_error(r: httpx.Response, status: int, code: str) -> dict:
    """A Toss error: that HTTP status and a ``{code, message}`` body."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


def run_async(coro: Coroutine[object, object, T]) -> T:
    """Run ``coro`` on a fresh event loop in its own thread.

    In-process tests (httpx.ASGITransport) are async; running them this way keeps them
    independent of whatever loop another test left running in the main thread (the
    Playwright sync API holds one open for its whole session).
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
