"""Outgoing webhooks: PAYMENT_STATUS_CHANGED and DEPOSIT_CALLBACK to the targets registered at
``/_sandbox/webhooks``.

The ledger calls :meth:`Webhooks.payment_changed` when a payment moves to WAITING_FOR_DEPOSIT,
DONE, ABORTED, EXPIRED, CANCELED or PARTIAL_CANCELED; a 가상계좌 also sends Toss's flat
DEPOSIT_CALLBACK ``{createdAt, secret, status, transactionKey, orderId}`` when its account is
issued, paid and cancelled (toss-api.md §8.2, §13). Sending happens in a background task, so the API
response that caused it never waits for it. Anything but 200 within 10 s is retried on
Toss's schedule, on the sandbox clock: the due retries live in the store and are sent when
the clock is advanced or on ``POST /_sandbox/webhooks/flush``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

import httpx
import orjson

from .jsontypes import JSONObject, Payment
from .payment_object import KST, iso
from .store import Store

log = logging.getLogger("payapp.sandbox.webhooks")

EVENT_TYPES = ("PAYMENT_STATUS_CHANGED", "DEPOSIT_CALLBACK")
NOTIFIED = frozenset({"WAITING_FOR_DEPOSIT", "DONE", "ABORTED", "EXPIRED", "CANCELED", "PARTIAL_CANCELED"})
DEPOSIT_STATUSES = frozenset({"WAITING_FOR_DEPOSIT", "DONE", "CANCELED", "PARTIAL_CANCELED"})
RETRY_MINUTES = (1, 4, 16, 64, 256, 1024, 4096)  # retry n waits RETRY_MINUTES[n - 1] after the failure
TIMEOUT = 10.0


def created_at(ts: float) -> str:
    """Toss's webhook ``createdAt``: KST wall time with microseconds, no offset."""
    return datetime.fromtimestamp(ts, KST).strftime("%Y-%m-%dT%H:%M:%S.%f")


class Webhooks:
    def __init__(
        self,
        store: Store,
        now: Callable[[], Awaitable[float]],
        allowed: Callable[[str], bool] = lambda url: True,
    ) -> None:
        self.store = store
        self.now = now  # the sandbox clock
        # (url) -> bool: checked again when sending, as a target may predate the configuration
        # (a Redis store outlives the process that registered it).
        self.allowed = allowed
        self._tasks: set[asyncio.Task[object]] = set()

    # ---- scheduling ----------------------------------------------------------------
    def payment_changed(self, payment: Payment, now: float) -> None:
        """Called by the ledger after a status change was stored; never blocks, never raises."""
        status = payment["status"]
        if status not in NOTIFIED:
            return
        event: JSONObject = {
            "eventType": "PAYMENT_STATUS_CHANGED",
            "createdAt": created_at(now),
            "data": orjson.loads(orjson.dumps(payment)),
        }  # a snapshot: the caller's dict lives on
        self._spawn(self._send_event(event))
        if payment["method"] == "가상계좌" and status in DEPOSIT_STATUSES:
            # Flat, no eventType and no paymentKey: verified by its secret, found by orderId.
            callback = {
                "createdAt": created_at(now),
                "secret": payment["secret"],
                "status": status,
                "transactionKey": payment["lastTransactionKey"],
                "orderId": payment["orderId"],
            }
            self._spawn(self._send_event(callback, "DEPOSIT_CALLBACK"))

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook delivery failed", exc_info=task.exception())

    async def _send_event(self, event: JSONObject, event_type: str = "PAYMENT_STATUS_CHANGED") -> None:
        targets = []
        for t in await self.store.webhook_targets():
            if event_type not in t["events"]:
                continue
            if self.allowed(t["url"]):
                targets.append(t)
            else:
                log.warning("webhook target %s: host not allowed, not sent", t["url"])
        await asyncio.gather(
            *(
                self.attempt(
                    {
                        "transmissionId": "whtrans_" + secrets.token_hex(13),
                        "url": t["url"],
                        "event": event,
                        "eventType": event_type,
                        "retriedCount": 0,
                    }
                )
                for t in targets
            )
        )

    # ---- sending -------------------------------------------------------------------
    async def attempt(self, item: JSONObject) -> None:
        """Send one transmission; record it; on failure keep the next retry in the store."""
        sent_at = await self.now()
        headers = {
            "content-type": "application/json",
            "tosspayments-webhook-transmission-time": iso(sent_at),
            "tosspayments-webhook-transmission-retried-count": str(item["retriedCount"]),
            "tosspayments-webhook-transmission-id": item["transmissionId"],
        }
        status, error = None, None
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT, trust_env=False) as client:
                r = await client.post(item["url"], content=orjson.dumps(item["event"]), headers=headers)
            status = r.status_code
        except Exception as exc:  # refused, timed out, bad URL: all are "no 200"
            error = f"{type(exc).__name__}: {exc}"[:300]
        data = item["event"].get("data") or item["event"]  # DEPOSIT_CALLBACK is flat
        try:
            await self.store.log_delivery(
                {
                    "transmissionId": item["transmissionId"],
                    "eventType": item.get("eventType") or item["event"]["eventType"],
                    "url": item["url"],
                    "status": status,
                    "error": error,
                    "retriedCount": item["retriedCount"],
                    "at": iso(sent_at),
                    "orderId": data.get("orderId"),
                    "paymentStatus": data.get("status"),
                    "body": item["event"],
                }
            )
            if status != 200 and item["retriedCount"] < len(RETRY_MINUTES):
                due = await self.now() + RETRY_MINUTES[item["retriedCount"]] * 60
                await self.store.add_webhook_retry({**item, "retriedCount": item["retriedCount"] + 1, "dueAt": due})
        except Exception:
            log.exception("webhook %s: could not record the delivery", item["transmissionId"])

    async def send_due(self) -> int:
        """Send every retry whose time has come on the sandbox clock; returns how many."""
        due = await self.store.take_due_webhook_retries(await self.now())
        await asyncio.gather(*(self.attempt(item) for item in due))
        return len(due)

    def send_due_later(self) -> None:
        self._spawn(self.send_due())

    async def drain(self) -> None:
        """Wait for this process's deliveries in flight."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
