"""POST /v1/auth/signup and /v1/auth/token."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from payapp.db import run_db
from payapp.services import accounts

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class Credentials(BaseModel):
    # Bounded before argon2 or the database see them; the finer rules are the service's.
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: int
    email: str
    role: str


class TokenOut(BaseModel):
    accessToken: str
    tokenType: str = "Bearer"
    expiresIn: int


@router.post("/signup", status_code=201, response_model=UserOut)
async def signup(body: Credentials) -> UserOut:
    user = await run_db(lambda s: accounts.create_user(s, body.email, body.password))
    return UserOut(id=user.id, email=user.email, role=user.role)


@router.post("/token", response_model=TokenOut)
async def token(body: Credentials) -> TokenOut:
    user = await run_db(lambda s: accounts.authenticate(s, body.email, body.password))
    access, ttl = accounts.issue_token(user)
    return TokenOut(accessToken=access, expiresIn=ttl)
