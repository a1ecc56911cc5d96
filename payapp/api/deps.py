"""Request dependencies: the signed-in user (Bearer JWT) and the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from payapp.models import User
from payapp.services import downloads
from payapp.services.accounts import user_for_token
from payapp.services.errors import Code, ServiceError
from payapp.services.guards import require_admin
from payapp.services.payments import PaymentService
from payapp.services.wiring import payment_service


async def current_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ServiceError.of(Code.UNAUTHORIZED)
    if scheme.lower() != "bearer" or not token.strip():
        raise ServiceError.of(Code.UNAUTHORIZED, "Authorization 헤더는 'Bearer <accessToken>' 형식이어야 합니다.")
    return await user_for_token(token.strip())


async def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    return require_admin(user)


async def payments() -> PaymentService:
    return payment_service()


async def admin_or_ticket(request: Request) -> User:
    """An admin by Bearer token, or by a one-time download ticket (a page's plain GET link)."""
    ticket = request.query_params.get("ticket")
    if not ticket:
        return await admin_user(await current_user(request))
    user = await downloads.redeem(ticket, request.url.path.rsplit("/", 1)[-1])
    if user is None:
        raise ServiceError.of(Code.INVALID_TICKET)
    return require_admin(user)


CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
AdminOrTicket = Annotated[User, Depends(admin_or_ticket)]
Payments = Annotated[PaymentService, Depends(payments)]
