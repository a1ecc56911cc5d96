"""Secrets (Toss secret key, JWT secret, password hashes) reach no response and no log line."""

from __future__ import annotations

from pathlib import Path

import httpx

from payapp.sandbox.config import SANDBOX_SECRET_KEY
from tests.support.servers import ROOT


def test_no_secret_in_any_response_or_log_line(shop):
    seen: list[str] = []

    def record(response: httpx.Response) -> None:
        response.read()
        seen.append(str(response.headers) + response.text)

    shop.http.event_hooks["response"].append(record)
    try:
        buyer, admin = shop.signup(), shop.admin()
        paid = shop.paid_order(buyer)
        shop.http.get(f"/v1/payments/{paid['orderId']}", headers=buyer)
        shop.http.get("/v1/payments", headers=buyer)
        shop.http.post(f"/v1/payments/{paid['orderId']}/cancel", headers=admin, json={"cancelReason": "환불"})
        shop.http.post("/v1/auth/token", json={"email": "nobody@example.com", "password": "wrong123"})
        shop.http.get("/openapi.json")
    finally:
        shop.http.event_hooks["response"].clear()

    jwt_secret = (Path(shop.env["PAYAPP_DATA_DIR"]) / "jwt_secret").read_text().strip()
    hashes = [r["password_hash"] for r in shop.rows('SELECT password_hash FROM "user"')]
    secrets = [SANDBOX_SECRET_KEY, jwt_secret, *hashes]
    assert len(hashes) >= 2 and all(h.startswith("$argon2") for h in hashes)
    port = shop.url.rsplit(":", 1)[1]
    log_text = (ROOT / ".data" / f"server-{port}.log").read_text()
    for secret in secrets:
        assert all(secret not in text for text in seen), "a secret reached an API response"
        assert secret not in log_text, "a secret reached the server log"
    assert len(seen) >= 8
