"""Rate limits hold across processes: failed sign-ins per account, token and sign-up requests
per client address (X-Forwarded-For believed only from TRUSTED_PROXIES)."""

from __future__ import annotations

import time
import uuid

import redis

from tests.core.conftest import Deployment


def own_redis(db: int) -> str:
    """A Redis database of these tests alone, emptied: limits counted by an earlier run are gone."""
    url = f"redis://127.0.0.1:6379/{db}"
    redis.Redis.from_url(url).flushdb()
    return url


def token(shop, email: str, password: str, forwarded_for: str | None = None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return shop.http.post("/v1/auth/token", json={"email": email, "password": password}, headers=headers)


def test_thirty_wrong_passwords_then_429_and_the_right_one_works_after_the_window(deployment, sandbox_url, tmp_path):
    # Ten argon2 checks must fit in the window for the eleventh to be refused: 30 s leaves room
    # for a loaded 2-core machine (each check can take over a second there), at the cost of the wait below.
    window = 30
    recon = Deployment(
        deployment, sandbox_url, tmp_path, REDIS_URL=own_redis(8), LOGIN_FAILURE_LIMIT=f"10 per {window} seconds"
    )
    first, second = recon.start(), recon.start()  # the limit holds across processes
    email, password = f"victim-{uuid.uuid4().hex[:8]}@example.com", "right-passw0rd"
    assert first.http.post("/v1/auth/signup", json={"email": email, "password": password}).status_code == 201
    answers = [token(second, email, "wrong-0")]
    first_failure_counted = time.monotonic()  # the limiter counted it before answering
    answers += [token(first if i % 2 else second, email, f"wrong-{i}") for i in range(1, 30)]
    statuses = [r.status_code for r in answers]
    assert statuses[:10] == [401] * 10, statuses
    assert set(statuses[10:]) == {429}, statuses
    refused = answers[-1]
    assert refused.json()["code"] == "TOO_MANY_REQUESTS" and "초 후에 다시 시도" in refused.json()["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= window + 1
    assert token(first, email, password).status_code == 429  # even the right password waits
    time.sleep(max(0.0, window + 1 - (time.monotonic() - first_failure_counted)))  # it has left the window
    assert token(second, email, password).status_code == 200


def test_token_requests_are_limited_per_address_and_forwarded_for_only_from_trusted_proxies(
    deployment, sandbox_url, tmp_path
):
    recon = Deployment(deployment, sandbox_url, tmp_path, REDIS_URL=own_redis(8), TOKEN_RATE_LIMIT="5 per minute")
    direct = recon.start()
    statuses = [token(direct, "nobody@example.com", "x", forwarded_for=f"203.0.113.{i}").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429], statuses  # a forged X-Forwarded-For changes nothing

    behind = Deployment(
        deployment,
        sandbox_url,
        tmp_path,
        REDIS_URL=own_redis(9),
        TOKEN_RATE_LIMIT="5 per minute",
        TRUSTED_PROXIES="127.0.0.1",
    ).start()
    # (a different account each time: its failed sign-ins have a limit of their own)
    spread = [
        token(behind, f"nobody{i}@example.com", "x", forwarded_for=f"198.51.100.{i}").status_code for i in range(6)
    ]
    assert spread == [401] * 6, spread  # six buyers behind our proxy
    one = [
        token(behind, f"someone{i}@example.com", "x", forwarded_for="192.0.2.7, 127.0.0.1").status_code
        for i in range(6)
    ]
    assert one == [401] * 5 + [429], one


def test_signups_are_limited_per_address(deployment, sandbox_url, tmp_path):
    recon = Deployment(deployment, sandbox_url, tmp_path, REDIS_URL=own_redis(10), SIGNUP_RATE_LIMIT="3 per minute")
    shop = recon.start()
    statuses = [
        shop.http.post(
            "/v1/auth/signup", json={"email": f"s-{uuid.uuid4().hex[:8]}@example.com", "password": "passw0rd!"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429], statuses
