"""Build services from settings, once per process/event loop (no work at import time)."""

from __future__ import annotations

from payapp.settings import get_settings
from payapp.store.prepared import PreparedOrderStore
from payapp.store.redis import get_redis
from payapp.toss.wiring import toss_client

from .payments import PaymentService


def payment_service() -> PaymentService:
    settings = get_settings()
    redis = get_redis()
    return PaymentService(
        PreparedOrderStore(redis, settings.prepared_order_ttl_seconds),
        toss_client(),
        redis,
        confirm_retries=settings.toss_confirm_retries,
        confirm_deadline=settings.toss_confirm_deadline_seconds,
    )
