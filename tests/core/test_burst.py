"""A crowd is never answered with a 5xx: pools wait, twins get the one payment back. Two real
API processes on PostgreSQL and Redis, the sandbox as Toss."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import sqlalchemy as sa
from argon2 import PasswordHasher

from payapp.services.accounts import _credential_stamp
from tests.core.conftest import Deployment

JWT_SECRET = "burst-test-" + secrets.token_hex(16)


def buyers(shop, count: int) -> list[dict[str, str]]:
    """``count`` buyers straight into the database, with tokens signed here: 500 sign-ups
    through the API would spend the test's minutes in argon2, not in the burst."""
    password_hash = PasswordHasher().hash("burst-passw0rd")
    emails = [f"burst-{secrets.token_hex(6)}@example.com" for _ in range(count)]
    with shop.engine.begin() as conn:
        rows = (
            conn.execute(
                sa.text(
                    'INSERT INTO "user" (email, password_hash, role, created_at) '
                    "SELECT unnest(CAST(:emails AS text[])), :hash, 'customer', now() RETURNING id"
                ),
                {"emails": emails, "hash": password_hash},
            )
            .scalars()
            .all()
        )
    now = datetime.now(UTC)

    class _User:  # what the stamp is computed from
        def __init__(self):
            self.password_hash = password_hash

    stamp = _credential_stamp(_User())  # type: ignore[arg-type]
    return [
        {
            "Authorization": "Bearer "
            + jwt.encode(
                {"sub": str(uid), "role": "customer", "iat": now, "pwd": stamp, "exp": now + timedelta(hours=1)},
                JWT_SECRET,
                algorithm="HS256",
            )
        }
        for uid in rows
    ]


async def spread(urls: list[str], requests: list[tuple[str, str, dict, dict | None]]) -> list[httpx.Response]:
    """Fire every request at once, alternating between the processes."""
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        return await asyncio.gather(
            *[
                client.request(method, urls[i % len(urls)] + path, headers=headers, json=body)
                for i, (method, path, headers, body) in enumerate(requests)
            ]
        )


def test_200_concurrent_confirms_over_two_processes_charge_once_and_never_500(deployment, sandbox_url, tmp_path):
    recon = Deployment(deployment, sandbox_url, tmp_path, JWT_SECRET=JWT_SECRET, REDIS_URL="redis://127.0.0.1:6379/7")
    first, second = recon.start(), recon.start()
    buyer = first.signup()
    authorized = first.authorize(first.prepare(buyer))
    body = {k: authorized[k] for k in ("paymentKey", "orderId", "amount")}
    responses = asyncio.run(spread([first.url, second.url], [("POST", "/v1/payments/confirm", buyer, body)] * 200))
    statuses = sorted({r.status_code for r in responses})
    assert all(r.status_code < 500 for r in responses), [
        (r.status_code, r.text) for r in responses if r.status_code >= 500
    ][:3]
    assert set(statuses) <= {200, 202}, statuses
    assert len([e for e in first.toss_confirms(authorized["orderId"]) if e["status"] == 200]) == 1
    assert first.payment_row(authorized["orderId"])["status"] == "DONE"


def test_500_concurrent_prepares_by_different_buyers_never_5xx(deployment, sandbox_url, tmp_path):
    recon = Deployment(deployment, sandbox_url, tmp_path, JWT_SECRET=JWT_SECRET, REDIS_URL="redis://127.0.0.1:6379/7")
    first, second = recon.start(), recon.start()
    product = first.products()[0]
    crowd = buyers(first, 500)
    responses = asyncio.run(
        spread(
            [first.url, second.url],
            [
                ("POST", "/v1/payments/prepare", auth, {"items": [{"productId": product["id"], "quantity": 1}]})
                for auth in crowd
            ],
        )
    )
    failures = [(r.status_code, r.text) for r in responses if r.status_code != 200]
    assert failures == [], failures[:5]
    assert len({r.json()["orderId"] for r in responses}) == 500
