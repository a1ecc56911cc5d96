"""POST /v1/webhooks/toss: Toss's webhook target (answer 200 quickly; Toss retries otherwise)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from payapp.api.deps import Payments
from payapp.services import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post("/toss")
async def toss_webhook(request: Request, service: Payments) -> dict:
    transmission_id = request.headers.get("tosspayments-webhook-transmission-id")
    return await webhooks.receive(service, await request.body(), transmission_id)
