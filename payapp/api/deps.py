"""Request dependencies: the signed-in user (Bearer JWT) and the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from payapp.db import run_db
from payapp.models import Role, User
from payapp.services.accounts import user_from_token
from payapp.services.errors import ServiceError
from payapp.services.payments import PaymentService
from payapp.services.wiring import payment_service

MISSING_TOKEN = ("인증이 필요합니다. 'Authorization: Bearer <accessToken>' 헤더를 보내주세요 "
                 "(토큰은 POST /v1/auth/token 으로 발급).")


async def current_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ServiceError("UNAUTHORIZED", MISSING_TOKEN, 401)
    if scheme.lower() != "bearer" or not token.strip():
        raise ServiceError("UNAUTHORIZED", "Authorization 헤더는 'Bearer <accessToken>' 형식이어야 합니다.", 401)
    return await run_db(lambda s: user_from_token(s, token.strip()))


async def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != Role.ADMIN:
        raise ServiceError("FORBIDDEN", "관리자 권한이 필요합니다.", 403)
    return user


async def payments() -> PaymentService:
    return payment_service()


CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
Payments = Annotated[PaymentService, Depends(payments)]
