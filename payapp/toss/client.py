"""An async client for the Toss core API: confirm, look up, cancel.

One ``httpx.AsyncClient`` per event loop; Basic auth with the secret key (never logged);
an ``Idempotency-Key`` on every POST; errors become :class:`TossError` with a
``retryable`` flag decided by code, not by HTTP status alone (PROVIDER_ERROR is a 400).
"""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from .models import TossPayment, TossTransaction

KST = ZoneInfo("Asia/Seoul")
TRANSACTIONS_PAGE = 5000
TRANSACTIONS_TIMEOUT = 60.0


def _kst(moment: datetime) -> str:
    return moment.astimezone(KST).strftime("%Y-%m-%dT%H:%M:%S")


# Codes Toss documents as temporary: retry with the same Idempotency-Key.
RETRYABLE_CODES = frozenset(
    {
        "PROVIDER_ERROR",
        "IDEMPOTENT_REQUEST_PROCESSING",
        "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING",
        "FAILED_INTERNAL_SYSTEM_PROCESSING",
        "UNKNOWN_PAYMENT_ERROR",
        "COMMON_ERROR",
        "FAILED_REFUND_PROCESS",
        "FORBIDDEN_CONSECUTIVE_REQUEST",
        "TOO_MANY_REQUESTS",
    }
)


class TossError(Exception):
    def __init__(self, code: str, message: str, http_status: int | None, retryable: bool):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self.retryable = retryable

    @classmethod
    def from_response(cls, response: httpx.Response) -> TossError:
        try:
            body = response.json()
            code, message = str(body["code"]), str(body.get("message", ""))
        except (ValueError, KeyError, TypeError):
            # Not Toss's error body (a proxy's page, a truncated answer): we don't know what Toss
            # did, so it is not a refusal. Retry, and leave the payment to reconciliation.
            return unexpected(response.status_code)
        retryable = code in RETRYABLE_CODES or response.status_code >= 500 or response.status_code == 429
        return cls(code, message, response.status_code, retryable)


def unexpected(status: int) -> TossError:
    return TossError("UNEXPECTED_RESPONSE", f"토스페이먼츠의 응답을 해석하지 못했습니다 (HTTP {status})", status, True)


def basic_auth(secret_key: str) -> str:
    return "Basic " + base64.b64encode(f"{secret_key}:".encode()).decode()


class TossClient:
    def __init__(
        self, base_url: str, secret_key: str, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None
    ):
        self._base_url = base_url.rstrip("/")
        self._auth = basic_auth(secret_key)
        self.timeout = timeout
        self._transport = transport
        self._clients: dict[int, httpx.AsyncClient] = {}

    def _client(self) -> httpx.AsyncClient:
        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            client = httpx.AsyncClient(
                base_url=self._base_url,
                timeout=self.timeout,
                transport=self._transport,
                headers={"Authorization": self._auth, "Content-Type": "application/json"},
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            )
            self._clients[loop_id] = client
        return client

    async def _call(
        self,
        method: str,
        path: str,
        json: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        params: dict[str, Any] | None = None,
    ) -> object:
        """Toss's 200 answer, parsed JSON; anything else a :class:`TossError`."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        timeout = self.timeout if timeout is None else timeout
        try:
            # asyncio.timeout as well as httpx's: an in-process (ASGI) transport ignores httpx timeouts.
            async with asyncio.timeout(timeout + 0.5):
                response = await self._client().request(
                    method, path, json=json, headers=headers, timeout=timeout, params=params
                )
        except TimeoutError:
            raise TossError("TIMEOUT", "토스페이먼츠 응답 시간 초과", None, True) from None
        except httpx.TimeoutException as exc:
            raise TossError("TIMEOUT", f"토스페이먼츠 응답 시간 초과 ({type(exc).__name__})", None, True) from None
        except httpx.TransportError as exc:
            raise TossError("NETWORK_ERROR", f"토스페이먼츠 연결 실패 ({type(exc).__name__})", None, True) from None
        if response.status_code != 200:
            raise TossError.from_response(response)
        try:
            body: object = response.json()
        except ValueError:
            raise unexpected(response.status_code) from None
        return body

    @staticmethod
    def _payment(body: object) -> TossPayment:
        if not isinstance(body, dict):
            raise unexpected(200)
        try:
            return TossPayment.model_validate(body)
        except ValueError:  # pydantic's ValidationError: a 200 that is not a Payment
            raise unexpected(200) from None

    async def confirm(
        self, payment_key: str, order_id: str, amount: int, idempotency_key: str, timeout: float | None = None
    ) -> TossPayment:
        """``timeout`` shortens this call below the client's own (never lengthens it)."""
        body = {"paymentKey": payment_key, "orderId": order_id, "amount": amount}
        timeout = self.timeout if timeout is None else min(timeout, self.timeout)
        return self._payment(await self._call("POST", "/v1/payments/confirm", body, idempotency_key, timeout))

    async def get_payment(self, payment_key: str) -> TossPayment:
        return self._payment(await self._call("GET", f"/v1/payments/{quote(payment_key, safe='')}"))

    async def transactions(
        self, start: datetime, end: datetime, starting_after: str | None = None, limit: int = TRANSACTIONS_PAGE
    ) -> list[TossTransaction]:
        """One page of ``GET /v1/transactions`` (거래 조회) between two aware times.

        Toss takes the dates in KST without an offset and documents answers of up to 60 s.
        """
        params: dict[str, Any] = {"startDate": _kst(start), "endDate": _kst(end), "limit": limit}
        if starting_after:
            params["startingAfter"] = starting_after
        body = await self._call(
            "GET", "/v1/transactions", params=params, timeout=max(self.timeout, TRANSACTIONS_TIMEOUT)
        )
        if not isinstance(body, list):
            raise unexpected(200)
        try:
            return [TossTransaction.model_validate(item) for item in body]
        except ValueError:
            raise unexpected(200) from None

    async def cancel(
        self,
        payment_key: str,
        reason: str,
        amount: int | None,
        idempotency_key: str,
        refund_account: dict[str, str] | None = None,
    ) -> TossPayment:
        body: dict[str, Any] = {"cancelReason": reason}
        if amount is not None:
            body["cancelAmount"] = amount
        if refund_account is not None:  # 가상계좌 after the deposit: {bank, accountNumber, holderName}
            body["refundReceiveAccount"] = refund_account
        path = f"/v1/payments/{quote(payment_key, safe='')}/cancel"
        return self._payment(await self._call("POST", path, body, idempotency_key))
