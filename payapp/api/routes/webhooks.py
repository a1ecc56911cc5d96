"""POST /v1/webhooks/toss: Toss's webhook target (answer 200 quickly; Toss retries otherwise)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from payapp.api.deps import Payments
from payapp.services import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


# Documented, not validated by FastAPI: the raw bytes are stored as Toss sent them and parsed by
# the service (a body that is not this shape is a 400 there, or a hint with nothing to do).
EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "eventType": {"type": "string", "maxLength": 64, "example": "PAYMENT_STATUS_CHANGED"},
        "createdAt": {"type": "string"},
        "data": {
            "type": "object",
            "properties": {
                "orderId": {"type": "string", "pattern": "^[A-Za-z0-9_-]{6,64}$"},
                "paymentKey": {"type": "string"},
                "status": {"type": "string"},
            },
        },
    },
}


@router.post(
    "/toss",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": EVENT_SCHEMA}}}},
)
async def toss_webhook(request: Request, service: Payments) -> dict:
    transmission_id = request.headers.get("tosspayments-webhook-transmission-id")
    return await webhooks.receive(service, await request.body(), transmission_id)
