"""Admin tests run on their own real API processes (the core tests' fixtures, re-registered
here, so seeded demo payments never reach the core tests' databases)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.core.conftest import CONFIG_VARS, Shop, embedded_shop, pg_shop, pg_url, shop  # noqa: F401
from tests.support.servers import ROOT, child_env

SEEDED = 240
_ready: dict[str, dict] = {}


@pytest.fixture
def data(shop: Shop) -> dict:  # noqa: F811
    """The shop with SEEDED demo payments, one real paid order and one partly refunded (once per shop)."""
    if shop.name not in _ready:
        subprocess.run(
            [sys.executable, "-m", "payapp.seed", "--quiet", "--payments", str(SEEDED)],
            cwd=ROOT,
            env=child_env(shop.env, CONFIG_VARS),
            check=True,
            capture_output=True,
        )
        buyer, admin = shop.signup(), shop.admin()
        paid = shop.paid_order(buyer)
        refunded = shop.paid_order(buyer)
        r = shop.http.post(
            f"/v1/admin/payments/{refunded['orderId']}/cancel",
            headers=admin,
            json={"cancelReason": "부분 환불 테스트", "cancelAmount": 1000},
        )
        assert r.status_code == 200, r.text
        _ready[shop.name] = {"admin": admin, "buyer": buyer, "paid": paid, "refunded": refunded}
    return {"shop": shop, **_ready[shop.name]}
