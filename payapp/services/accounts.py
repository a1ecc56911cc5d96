"""Accounts: sign-up, password checks (argon2), JWT access tokens, browser sessions.

argon2-cffi because it is the maintained reference binding of the PHC winner; PyJWT for
tokens. Hashes and secrets never leave this module in any response or log line.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar, TypeVarTuple

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from payapp.db import run_db
from payapp.models import AuthSession, Role, User, utcnow
from payapp.settings import get_settings

from . import ratelimit
from .error_catalog import PASSWORD_RULE as PASSWORD_RULE  # the sign-up page states it
from .errors import Code, ServiceError
from .inputs import Credentials
from .rows import saved_id

T = TypeVar("T")
Args = TypeVarTuple("Args")

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_hasher = PasswordHasher()
# Verifying against this keeps "no such user" as slow as "wrong password".
_DUMMY_HASH = _hasher.hash("payapp-timing-equaliser-1")
SESSION_TTL = timedelta(days=14)


def check_password_rule(password: object) -> str:
    if (
        not isinstance(password, str)
        or not 8 <= len(password) <= 128
        or not re.search(r"[A-Za-z]", password)
        or not re.search(r"\d", password)
    ):
        raise ServiceError.of(Code.INVALID_PASSWORD)
    return password


def normalize_email(email: object) -> str:
    if not isinstance(email, str) or len(email) > 254 or not email.isprintable() or not EMAIL_RE.match(email.strip()):
        raise ServiceError.of(Code.INVALID_EMAIL)
    return email.strip().lower()


def create_user(
    session: Session, email: object, password: object, role: Role = Role.CUSTOMER, password_hash: str | None = None
) -> User:
    """A new account (the CLI and the seed hash here; ``sign_up`` hashes in the hash pool first)."""
    address = normalize_email(email)
    user = User(email=address, password_hash=password_hash or _hasher.hash(check_password_rule(password)), role=role)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ServiceError.of(Code.EMAIL_ALREADY_EXISTS) from None
    session.refresh(user)
    return user


def set_password(session: Session, user: User, password: object, role: Role | None = None) -> User:
    """A new password (and role): every sign-in made before it ends — browser sessions are
    deleted, and access tokens die with the password hash they were issued for."""
    user.password_hash = _hasher.hash(check_password_rule(password))
    if role is not None:
        user.role = role
    session.add(user)
    for row in session.exec(select(AuthSession).where(AuthSession.user_id == user.id)):
        session.delete(row)
    session.commit()
    forget_tokens(user.id)
    return user


def _credential_stamp(user: User) -> str:
    """Changes whenever the password is set (a new salt each time), reveals nothing of it."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _bad_credentials() -> ServiceError:
    return ServiceError.of(Code.INVALID_CREDENTIALS)


def _find(session: Session, email: object, password: object) -> User | None:
    if not isinstance(email, str) or not isinstance(password, str) or not email.isprintable() or len(email) > 254:
        raise _bad_credentials()  # a NUL byte or a megabyte of "email" is no account's: never sent to the database
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def _verify(user: User | None, password: str) -> User:
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise _bad_credentials() from None
    if user is None:
        raise _bad_credentials()
    return user


def authenticate(session: Session, email: object, password: object) -> User:
    """Check a sign-in in this thread (the seed's check); requests use ``sign_in``."""
    user = _find(session, email, password)
    if not isinstance(password, str):  # _find refused it already: this says so to the type checker
        raise _bad_credentials()
    return _verify(user, password)


async def sign_in(credentials: Credentials) -> User:
    """Check a sign-in: the database in its threads, argon2 in the hash pool (a flood of
    sign-ins can't take the threads confirms and webhooks need), failures counted per account."""
    email, password = credentials.email, credentials.password
    user = await run_db(lambda s: _find(s, email, password))
    account = str(email).strip().lower()
    await ratelimit.check_failures(account)
    try:
        return await _in_hash_pool(_verify, user, password)
    except ServiceError:
        await ratelimit.count_failure(account)
        raise


async def sign_up(credentials: Credentials) -> User:
    """A new customer account: the address's form and the password rule checked, then hashed."""
    email, password = credentials.email, credentials.password
    address = normalize_email(email)
    password_hash = await _in_hash_pool(_hasher.hash, check_password_rule(password))
    return await run_db(lambda s: create_user(s, address, password, password_hash=password_hash))


_hash_pool: ThreadPoolExecutor | None = None


async def _in_hash_pool(fn: Callable[[*Args], T], *args: *Args) -> T:
    global _hash_pool
    if _hash_pool is None:
        _hash_pool = ThreadPoolExecutor(get_settings().password_hash_threads, thread_name_prefix="payapp-argon2")
    return await asyncio.get_running_loop().run_in_executor(_hash_pool, fn, *args)


def issue_token(user: User) -> tuple[str, int]:
    settings = get_settings()
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "role": user.role,
        "iat": now,
        "pwd": _credential_stamp(user),
        "exp": now + timedelta(seconds=settings.jwt_ttl_seconds),
    }
    return jwt.encode(claims, settings.jwt_key(), algorithm="HS256"), settings.jwt_ttl_seconds


def _claims(token: str) -> dict[str, Any]:
    try:
        return jwt.decode(token, get_settings().jwt_key(), algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise ServiceError.of(Code.TOKEN_EXPIRED) from None
    except jwt.PyJWTError:
        raise ServiceError.of(Code.INVALID_TOKEN) from None


def _user_for_claims(session: Session, claims: dict[str, Any]) -> User:
    user = session.get(User, int(claims["sub"]))
    if user is None:
        raise ServiceError.of(Code.INVALID_TOKEN, "액세스 토큰의 사용자가 존재하지 않습니다.")
    stamp = claims.get("pwd")
    if stamp is None:  # issued before tokens carried the stamp: it can't be checked, so it ends
        raise ServiceError.of(
            Code.INVALID_TOKEN, "액세스 토큰이 올바르지 않습니다. POST /v1/auth/token으로 다시 발급받으세요."
        )
    if stamp != _credential_stamp(user):
        raise ServiceError.of(
            Code.INVALID_TOKEN, "비밀번호가 바뀌어 액세스 토큰이 무효가 되었습니다. 다시 발급받으세요."
        )
    return user


# Tokens this process verified lately: token → (monotonic deadline, user). A request with one of
# them skips the signature check and the database. An entry lives TOKEN_CACHE_SECONDS at most,
# never past the token's own expiry, so a password (or role) changed by another process ends
# the token's use here within that time; this process's own changes drop the user's entries.
_verified: dict[str, tuple[float, User]] = {}
VERIFIED_MAX = 10_000


async def user_for_token(token: str) -> User:
    """The access token's user, checked: signature, expiry, and the password stamp against the
    database (the stamp changes with every new password), or found among recently verified tokens."""
    hit = _verified.get(token)
    if hit is not None:
        if hit[0] > time.monotonic():
            return hit[1]
        _verified.pop(token, None)
    claims = _claims(token)
    user = await run_db(lambda s: _user_for_claims(s, claims))
    ttl = min(get_settings().token_cache_seconds, claims["exp"] - time.time())
    if ttl > 0:
        if len(_verified) >= VERIFIED_MAX:
            _verified.clear()
        _verified[token] = (time.monotonic() + ttl, user)
    return user


def forget_tokens(user_id: int | None) -> None:
    """Drop this process's cached tokens of one user (None: of everyone)."""
    for token, (_, user) in list(_verified.items()):
        if user_id is None or user.id == user_id:
            _verified.pop(token, None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User) -> str:
    """A browser sign-in: a random token for the client, only its SHA-256 in the database."""
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(token_hash=_digest(token), user_id=saved_id(user), expires_at=utcnow() + SESSION_TTL))
    session.commit()
    return token


def user_for_session(session: Session, token: str | None) -> User | None:
    if not token:
        return None
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _digest(token))).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return session.get(User, row.user_id)


async def session_user(token: str | None) -> User | None:
    """The user a browser session token belongs to (None: signed out, unknown or expired)."""
    return await run_db(lambda s: user_for_session(s, token)) if token else None


async def start_session(user: User) -> str:
    return await run_db(lambda s: open_session(s, user))


async def end_session(token: str | None) -> None:
    await run_db(lambda s: close_session(s, token))


def close_session(session: Session, token: str | None) -> None:
    if not token:
        return
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _digest(token))).first()
    if row is not None:
        session.delete(row)
        session.commit()
