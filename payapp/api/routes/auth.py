"""POST /v1/auth/signup and /v1/auth/token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from payapp.services import accounts, ratelimit
from payapp.services.inputs import Credentials
from payapp.settings import get_settings

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class UserOut(BaseModel):
    id: int
    email: str
    role: str


class TokenOut(BaseModel):
    accessToken: str
    tokenType: str = "Bearer"
    expiresIn: int


def _client(request: Request) -> str:
    return ratelimit.client_ip(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))


@router.post("/signup", status_code=201, response_model=UserOut)
async def signup(body: Credentials, request: Request) -> UserOut:
    await ratelimit.take(get_settings().signup_rate_limit, "signup", _client(request), "회원가입 요청이 너무 많습니다.")
    user = await accounts.sign_up(body)
    return UserOut(id=user.id, email=user.email, role=user.role)


@router.post("/token", response_model=TokenOut)
async def token(body: Credentials, request: Request) -> TokenOut:
    await ratelimit.take(get_settings().token_rate_limit, "token", _client(request), "로그인 요청이 너무 많습니다.")
    user = await accounts.sign_in(body)
    access, ttl = accounts.issue_token(user)
    return TokenOut(accessToken=access, expiresIn=ttl)
