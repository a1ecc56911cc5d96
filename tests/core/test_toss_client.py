"""TossClient on answers that are not Toss's: a proxy's page, a 200 that is not a Payment.

The sandbox always answers like Toss, so these few cases are served by a tiny ASGI app
standing in for a misbehaving proxy in front of Toss.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from payapp.toss.client import TossClient, TossError


async def proxy_page(request) -> Response:
    return HTMLResponse("<html><body>403 Forbidden (WAF)</body></html>", status_code=403)


async def not_a_payment(request) -> Response:
    return JSONResponse({"hello": "world"})


async def not_json(request) -> Response:
    return Response(b"\x00garbage", media_type="application/octet-stream")


async def toss_refusal(request) -> Response:
    return JSONResponse({"code": "REJECT_CARD_COMPANY", "message": "카드사 거절"}, status_code=403)


APP = Starlette(
    routes=[
        Route("/proxy/v1/payments/confirm", proxy_page, methods=["POST"]),
        Route("/odd/v1/payments/confirm", not_a_payment, methods=["POST"]),
        Route("/bytes/v1/payments/confirm", not_json, methods=["POST"]),
        Route("/toss/v1/payments/confirm", toss_refusal, methods=["POST"]),
    ]
)


def confirm_at(base: str) -> TossError:
    client = TossClient(f"http://toss.test/{base}", "test_sk_x", timeout=5, transport=httpx.ASGITransport(app=APP))
    with pytest.raises(TossError) as caught:
        asyncio.run(client.confirm("pk_123456", "ord_123456", 1000, "confirm:ord_123456"))
    return caught.value


@pytest.mark.parametrize("base", ["proxy", "odd", "bytes"])
def test_an_answer_that_is_not_tosss_is_unknown_and_retryable_never_a_refusal(base):
    err = confirm_at(base)
    assert err.code == "UNEXPECTED_RESPONSE" and err.retryable is True


def test_a_toss_error_body_is_a_refusal_with_tosss_code():
    err = confirm_at("toss")
    assert (err.code, err.http_status, err.retryable) == ("REJECT_CARD_COMPANY", 403, False)
