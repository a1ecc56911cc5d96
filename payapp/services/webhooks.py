"""Toss webhooks: store the raw event first, dedupe, then treat it as a hint.

Payment webhooks are not signed (only payout/seller events are), so nothing in the body is
trusted: a PAYMENT_STATUS_CHANGED makes us re-read the payment at Toss and apply *that*.

A 가상계좌's DEPOSIT_CALLBACK is flat (``{createdAt, secret, status, transactionKey, orderId}``,
no eventType) and carries the payment's ``secret``: it is acted on only when that equals the
secret Toss gave us at confirm (``Payment.raw["secret"]``, constant-time compare). A wrong or
missing one changes nothing, calls nothing at Toss, and is answered 403 without marking the
event processed: Toss retries anything but 200, so a genuine callback that raced our own
confirm (no secret stored yet) is taken on its retry, and a forger learns nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from payapp.db import run_db
from payapp.models import EventSource, Payment, PaymentStatus, WebhookEvent

from .errors import Code, ServiceError
from .payments import PaymentService, valid_order_id
from .rows import saved_id

log = logging.getLogger(__name__)
TRANSMISSION_ID_RE = re.compile(r"[\x21-\x7e]{1,100}")  # printable ASCII, no spaces
EVENT_TYPE_MAX = 64  # WebhookEvent.event_type's column; Toss's are names like PAYMENT_STATUS_CHANGED
ERROR_MAX = 500  # WebhookEvent.error's column
# Nothing can happen to these at Toss any more (a DONE can still be refunded in the dashboard).
FINAL = frozenset({PaymentStatus.CANCELED, PaymentStatus.ABORTED, PaymentStatus.EXPIRED})
REREAD = "payapp:webhook-reread:"
FINAL_REREAD_SECONDS = 60


def prune(session: Session, older_than: datetime) -> int:
    """Delete stored webhook events received before ``older_than``; how many went."""
    result = session.exec(delete(WebhookEvent).where(col(WebhookEvent.received_at) < older_than))
    session.commit()
    return result.rowcount or 0


def _record(session: Session, transmission_id: str, body: dict[str, Any]) -> WebhookEvent | None:
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


def _parse(raw: bytes, transmission_id: str | None) -> tuple[str, dict[str, Any], str | None]:
    """(transmission id, body, orderId or None), or a 400 before anything is stored."""
    if transmission_id is not None and not TRANSMISSION_ID_RE.fullmatch(transmission_id):
        raise ServiceError.of(
            Code.INVALID_REQUEST, "tosspayments-webhook-transmission-id는 공백 없는 ASCII 100자 이하입니다."
        )
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ServiceError.of(Code.INVALID_REQUEST, "웹훅 본문이 JSON이 아닙니다.") from None
    if not isinstance(body, dict):
        raise ServiceError.of(Code.INVALID_REQUEST, "웹훅 본문은 JSON 객체여야 합니다.")
    event_type = body.get("eventType")
    if event_type is not None and not (isinstance(event_type, str) and len(event_type) <= EVENT_TYPE_MAX):
        raise ServiceError.of(Code.INVALID_REQUEST, f"eventType은 {EVENT_TYPE_MAX}자 이하의 문자열입니다.")
    if b"\\u0000" in orjson.dumps(body):  # PostgreSQL text can't hold NUL: refuse it here, not with a 500
        raise ServiceError.of(Code.INVALID_REQUEST, "웹훅 본문에 NUL 문자가 있습니다.")
    inner = body.get("data")
    data: dict[str, Any] = inner if isinstance(inner, dict) else body
    order_id = data.get("orderId")
    if order_id is not None and not valid_order_id(order_id):
        raise ServiceError.of(Code.INVALID_REQUEST, "orderId가 올바르지 않습니다.")
    return transmission_id or "sha256:" + hashlib.sha256(raw).hexdigest(), body, order_id


async def receive(service: PaymentService, raw: bytes, transmission_id: str | None) -> dict[str, bool]:
    tid, body, order_id = _parse(raw, transmission_id)
    event = await run_db(lambda s: _record(s, tid, body))
    if event is None:
        return {"ok": True, "duplicate": True}
    error = None
    found = (
        await run_db(lambda s: s.exec(select(Payment.status, Payment.raw).where(Payment.order_id == order_id)).first())
        if order_id
        else None
    )
    status = found[0] if found else None
    if is_deposit_callback(body) and not secret_matches(body.get("secret"), found[1] if found else None):
        await run_db(lambda s: _mark(s, saved_id(event), "DEPOSIT_CALLBACK secret mismatch", processed=False))
        log.warning("DEPOSIT_CALLBACK for %s with a wrong secret: ignored", order_id)
        raise ServiceError.of(Code.INVALID_SECRET)
    if order_id is None:
        error = "no orderId"
    elif status is None:
        error = "unknown orderId"  # nothing of ours: no Toss call
    elif status in FINAL and not await service.redis.set(REREAD + order_id, b"1", nx=True, ex=FINAL_REREAD_SECONDS):
        error = "final payment re-read within the last minute"  # a flood costs one Toss call a minute
    else:
        try:
            await service.settle(order_id, EventSource.WEBHOOK)
        except ServiceError as err:
            error = f"{err.code}: {err.message}"

    await run_db(lambda s: _mark(s, saved_id(event), error))
    return {"ok": True}


def _mark(session: Session, event_id: int, error: str | None, processed: bool = True) -> None:
    row = session.get_one(WebhookEvent, event_id)
    row.processed, row.error = processed, error[:ERROR_MAX] if error else None
    session.add(row)
    session.commit()


def is_deposit_callback(body: Mapping[str, object]) -> bool:
    """Toss's DEPOSIT_CALLBACK: flat (no ``data``), no eventType (or that one named)."""
    event_type = body.get("eventType")
    return event_type == "DEPOSIT_CALLBACK" or (event_type is None and not isinstance(body.get("data"), dict))


def secret_matches(given: object, raw: Mapping[str, object] | None) -> bool:
    """The callback's secret equals the one Toss gave us for the payment (constant time)."""
    stored = (raw or {}).get("secret")
    if not isinstance(given, str) or not isinstance(stored, str) or not stored:
        return False
    return hmac.compare_digest(given.encode(), stored.encode())
