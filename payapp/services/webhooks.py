"""Toss webhooks: store the raw event first, dedupe, then treat it as a hint.

Payment webhooks are not signed (only payout/seller events are), so nothing in the body is
trusted: a PAYMENT_STATUS_CHANGED makes us re-read the payment at Toss and apply *that*.
"""

from __future__ import annotations

import hashlib
import logging

import orjson
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from payapp.db import run_db
from payapp.models import EventSource, Payment, WebhookEvent

from .errors import ServiceError
from .payments import PaymentService

log = logging.getLogger(__name__)


def _record(session: Session, transmission_id: str, body: dict) -> WebhookEvent | None:
    """Insert the raw event; None when this transmission was already processed."""
    event = WebhookEvent(transmission_id=transmission_id, event_type=str(body.get("eventType") or ""), body=body)
    session.add(event)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.exec(select(WebhookEvent).where(WebhookEvent.transmission_id == transmission_id)).one()
        return None if existing.processed else existing
    return event


async def receive(service: PaymentService, raw: bytes, transmission_id: str | None) -> dict:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ServiceError("INVALID_REQUEST", "웹훅 본문이 JSON이 아닙니다.") from None
    if not isinstance(body, dict):
        raise ServiceError("INVALID_REQUEST", "웹훅 본문은 JSON 객체여야 합니다.")
    tid = transmission_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    event = await run_db(lambda s: _record(s, tid, body))
    if event is None:
        return {"ok": True, "duplicate": True}
    data = body.get("data") if isinstance(body.get("data"), dict) else body
    order_id = data.get("orderId")
    error = None
    if isinstance(order_id, str):
        known = await run_db(lambda s: s.exec(select(Payment.id).where(Payment.order_id == order_id)).first())
        if known is not None:
            try:
                await service.settle(order_id, EventSource.WEBHOOK)
            except ServiceError as err:
                error = f"{err.code}: {err.message}"
        else:
            error = "unknown orderId"

    def done(session: Session) -> None:
        row = session.get(WebhookEvent, event.id)
        row.processed, row.error = True, error
        session.add(row)
        session.commit()

    await run_db(done)
    return {"ok": True}
