"""Request dependencies: the signed-in user (Bearer JWT) and the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from payapp.models import Role, User
from payapp.services import downloads
from payapp.services.accounts import user_for_token
from payapp.services.errors import ServiceError
from payapp.services.payments import PaymentService
from payapp.services.wiring import payment_service

MISSING_TOKEN = (
    "인증이 필요합니다. 'Authorization: Bearer <accessToken>' 헤더를 보내주세요 (토큰은 POST /v1/auth/token 으로 발급)."
)


async def current_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ServiceError("UNAUTHORIZED", MISSING_TOKEN, 401)
    if scheme.lower() != "bearer" or not token.strip():
        raise ServiceError("UNAUTHORIZED", "Authorization 헤더는 'Bearer <accessToken>' 형식이어야 합니다.", 401)
    return await user_for_token(token.strip())


async def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != Role.ADMIN:
        raise ServiceError("FORBIDDEN", "관리자 권한이 필요합니다.", 403)
    return user


async def payments() -> PaymentService:
    return payment_service()


async def admin_or_ticket(request: Request) -> User:
    """An admin by Bearer token, or by a one-time download ticket (a page's plain GET link)."""
    ticket = request.query_params.get("ticket")
    if not ticket:
        return await admin_user(await current_user(request))
    user = await downloads.redeem(ticket, request.url.path.rsplit("/", 1)[-1])
    if user is None:
        raise ServiceError(
            "INVALID_TICKET", "다운로드 링크가 만료되었거나 이미 사용되었습니다. 다시 내보내 주세요.", 401
        )
    if user.role != Role.ADMIN:
        raise ServiceError("FORBIDDEN", "관리자 권한이 필요합니다.", 403)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
AdminOrTicket = Annotated[User, Depends(admin_or_ticket)]
Payments = Annotated[PaymentService, Depends(payments)]
