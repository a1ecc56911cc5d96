"""거래 대사: what Toss did behind the shop's back (an approval whose answer was lost, a cancel
made in the dashboard) is found in GET /v1/transactions and applied, with PaymentEvents;
what can't be explained is drift for an operator."""

from __future__ import annotations

import subprocess
import sys

import pytest

from payapp.sandbox.config import SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from tests.conftest import basic
from tests.core.conftest import CONFIG_VARS, _start, fresh_pg_database
from tests.support.servers import ROOT, child_env


@pytest.fixture
def quiet_shop(sandbox, tmp_path):
    """A PostgreSQL shop of its own with automatic reconciliation off: only the pass by hand
    runs. (``sandbox`` resets the sandbox, so its transactions are this test's alone; the
    database is its own, so no other shop's reconciler writes drift into it.)"""
    with fresh_pg_database("payapp_tx") as db_url:
        env = {
            "DATABASE_URL": db_url,
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "TOSS_API_BASE": str(sandbox.base_url),
            "RECONCILE_ENABLED": "0",
        }
        yield from _start("quiet", env, str(sandbox.base_url), db_url, tmp_path)


def reconcile(shop, *args: str) -> str:
    # A sweep would settle the lost confirm too: keep it away (min age 1 h) so 거래 대사 must.
    env = child_env({**shop.env, "RECONCILE_MIN_AGE_SECONDS": "3600"}, CONFIG_VARS)
    run = subprocess.run(
        [sys.executable, "-m", "payapp.reconcile", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_transactions_pass_applies_a_lost_approval_and_a_dashboard_cancel(quiet_shop):
    shop = quiet_shop
    buyer = shop.signup()
    lost = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", lostResponse=True, forever=True):
        assert shop.confirm(buyer, lost).status_code == 202  # Toss approved; the answer never came
    paid = shop.paid_order(buyer)
    # An operator refunds 1,000원 in Toss's dashboard: the shop is not asked.
    r = shop.sandbox.post(
        f"/v1/payments/{paid['paymentKey']}/cancel",
        headers=basic(SANDBOX_SECRET_KEY),
        json={"cancelReason": "대시보드에서 부분 환불", "cancelAmount": 1000},
    )
    assert r.status_code == 200 and r.json()["status"] == "PARTIAL_CANCELED", r.text
    # A payment of this merchant that the shop has no row for at all.
    stranger = shop.sandbox.post(
        "/_sandbox/authorize",
        json={
            "clientKey": SANDBOX_CLIENT_KEY,
            "method": "카드",
            "amount": 5000,
            "orderId": "elsewhere-0001",
            "orderName": "다른 곳의 주문",
        },
    ).json()
    assert (
        shop.sandbox.post(
            "/v1/payments/confirm",
            headers=basic(SANDBOX_SECRET_KEY),
            json={"paymentKey": stranger["paymentKey"], "orderId": "elsewhere-0001", "amount": 5000},
        ).status_code
        == 200
    )

    dry = reconcile(shop, "--since", "1h", "--dry-run")
    assert f"{lost['orderId']}: approved at Toss, IN_PROGRESS here (would settle)" in dry, dry
    assert f"{paid['orderId']}: cancel 1,000원 at Toss (would settle)" in dry, dry
    assert "elsewhere-0001" in dry
    assert shop.payment_row(lost["orderId"])["status"] == "IN_PROGRESS"  # a dry run changes nothing
    assert shop.payment_row(paid["orderId"])["status"] == "DONE"
    assert shop.rows("SELECT * FROM reconcile_drift") == []

    out = reconcile(shop, "--since", "1h")
    assert f"applied: {lost['orderId']}" in out and f"applied: {paid['orderId']}" in out, out
    row = shop.payment_row(lost["orderId"])
    assert row["status"] == "DONE"
    assert [(e["to_status"], e["source"]) for e in shop.events(lost["orderId"])] == [
        ("IN_PROGRESS", "confirm"),
        ("DONE", "reconcile"),
    ]
    row = shop.payment_row(paid["orderId"])
    assert (row["status"], row["balance_amount"]) == ("PARTIAL_CANCELED", paid["amount"] - 1000)
    last = shop.events(paid["orderId"])[-1]
    assert (last["to_status"], last["source"]) == ("PARTIAL_CANCELED", "reconcile")
    assert len([e for e in shop.toss_confirms(lost["orderId"]) if e["status"] == 200]) == 1
    [drift] = shop.rows("SELECT * FROM reconcile_drift")
    assert (drift["order_id"], drift["kind"], drift["resolved_at"]) == ("elsewhere-0001", "UNKNOWN_PAYMENT", None)
    [run] = shop.rows("SELECT * FROM reconcile_run WHERE kind = 'transactions'")
    assert run["finished_at"] is not None and run["changed"] == 2 and run["drift"] == 1

    again = reconcile(shop, "--since", "1h")  # nothing left to apply; the drift is kept once
    assert "applied:" not in again, again
    assert len(shop.rows("SELECT * FROM reconcile_drift")) == 1
