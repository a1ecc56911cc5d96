"""Reconciliation settles what nobody asks about: a confirm killed mid-flight, a 202 never
polled; and at most one process reconciles at a time. Real processes, real kills."""

from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from tests.core.conftest import Deployment, Shop

SETTLE_WITHIN = 150.0  # seconds, with the default reconciliation settings


def wait_until(condition, timeout: float, what: str, pause: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(pause)


def toss_status(shop: Shop, order_id: str) -> str | None:
    data = shop.sandbox.get("/_sandbox/payments", params={"orderId": order_id}).json()["data"]
    return data[0]["status"] if data else None


def executed_confirms(shop: Shop, order_id: str) -> list[dict]:
    """Confirms of the order that Toss executed (answered 200 the first time, not replays)."""
    return [e for e in shop.toss_confirms(order_id) if e["status"] == 200]


def test_a_killed_confirm_and_an_unpolled_202_are_settled_with_nobody_asking(deployment, sandbox_url, tmp_path):
    """Two processes on PostgreSQL. A: SIGKILLed after the sandbox approved its confirm (the
    answer held by a lostResponse fault). B: answers 202 to another confirm, never polled.
    A fresh process C starts; no request touches either order; both end DONE within 150 s."""
    recon = Deployment(deployment, sandbox_url, tmp_path)
    a, b = recon.start(), recon.start()
    buyer = b.signup()
    killed = b.authorize(b.prepare(buyer))
    unpolled = b.authorize(b.prepare(buyer))

    b.sandbox.post(
        "/_sandbox/faults",
        json={"path": "/v1/payments/confirm", "method": "POST", "lostResponse": True, "forever": True},
    ).raise_for_status()
    try:
        hung = threading.Thread(target=lambda: _ignore_errors(lambda: a.confirm(buyer, killed)), daemon=True)
        hung.start()
        wait_until(lambda: toss_status(a, killed["orderId"]) == "DONE", 30, "the sandbox approving A's confirm")
        assert a.payment_row(killed["orderId"])["status"] == "IN_PROGRESS"
        recon.kill(a)  # Toss charged the buyer; A never wrote the answer
        pending = b.confirm(buyer, unpolled)
        assert pending.status_code == 202 and pending.json()["pending"] is True, pending.text
    finally:
        b.sandbox.delete("/_sandbox/faults").raise_for_status()
    killed_at = time.monotonic()
    recon.start()  # C: a fresh process, as a supervisor would restart A

    for order in (killed, unpolled):
        wait_until(
            lambda o=order: b.payment_row(o["orderId"])["status"] == "DONE",
            SETTLE_WITHIN - (time.monotonic() - killed_at),
            f"{order['orderId']} settled",
        )
        events = b.events(order["orderId"])
        assert [e["to_status"] for e in events] == ["IN_PROGRESS", "DONE"]
        assert events[-1]["source"] == "reconcile"
        assert len(executed_confirms(b, order["orderId"])) == 1  # charged once
        assert b.payment_row(order["orderId"])["checked_at"] is not None


def test_a_confirm_killed_at_each_of_its_steps_charges_once_and_ends_done(deployment, sandbox_url, tmp_path):
    """Each process SIGKILLs itself at one point of a confirm (payapp/failpoints.py):
    - after the claim, before the row: nothing durable; the buyer's refresh takes the order over;
    - after the row, before Toss: the sweep confirms it (same Idempotency-Key);
    - after Toss answered, before the answer was written: the sweep reads it DONE."""
    recon = Deployment(deployment, sandbox_url, tmp_path)
    survivor = recon.start()
    buyer = survivor.signup()
    orders = {}
    for step in ("after_claim", "after_intent", "after_toss"):
        doomed = recon.start(PAYAPP_FAILPOINTS=f"confirm.{step}")
        orders[step] = survivor.authorize(survivor.prepare(buyer))
        with pytest.raises(httpx.HTTPError):  # the process died mid-request
            doomed.confirm(buyer, orders[step])
        assert recon.procs.pop(doomed.url).wait(10) == -signal.SIGKILL
        if step != "after_claim":
            assert survivor.payment_row(orders[step]["orderId"])["status"] == "IN_PROGRESS"

    claimed = orders.pop("after_claim")
    assert survivor.rows("SELECT id FROM payment WHERE order_id = :o", o=claimed["orderId"]) == []
    assert survivor.toss_confirms(claimed["orderId"]) == []
    refreshed = survivor.confirm(buyer, claimed)  # the buyer reloads /success
    assert refreshed.status_code == 200 and refreshed.json()["status"] == "DONE", refreshed.text

    assert survivor.toss_confirms(orders["after_intent"]["orderId"]) == []  # Toss was never asked
    assert toss_status(survivor, orders["after_toss"]["orderId"]) == "DONE"
    started = time.monotonic()
    for order in orders.values():
        wait_until(
            lambda o=order: survivor.payment_row(o["orderId"])["status"] == "DONE",
            SETTLE_WITHIN - (time.monotonic() - started),
            f"{order['orderId']} settled",
        )
        assert survivor.events(order["orderId"])[-1]["source"] == "reconcile"
    for order in (claimed, *orders.values()):
        assert len(executed_confirms(survivor, order["orderId"])) == 1, order  # charged exactly once


def test_two_processes_never_reconcile_at_once_and_one_takes_over(deployment, sandbox_url, tmp_path):
    recon = Deployment(deployment, sandbox_url, tmp_path, RECONCILE_INTERVAL_SECONDS="0.5")
    first, second = recon.start(), recon.start()
    runs = lambda: first.rows("SELECT * FROM reconcile_run ORDER BY started_at, id")  # noqa: E731
    wait_until(lambda: len(runs()) >= 10, 60, "ten reconciliation passes")
    holder = runs()[-1]["holder"]
    assert {r["holder"] for r in runs()} == {holder}, "only the lease holder reconciles"
    by_pid = {recon.procs[s.url].pid: s for s in (first, second)}
    holder_shop = by_pid[int(holder.rsplit(":", 1)[1])]
    survivor = second if holder_shop is first else first
    recon.kill(holder_shop)
    # The lease lapses (30 s) and the survivor takes over.
    wait_until(
        lambda: runs()[-1]["holder"] != holder and runs()[-1]["finished_at"] is not None, 60, "the survivor taking over"
    )
    rows = runs()  # a pass cut short by the kill has no finished_at: it can't overlap a later one
    overlapping = [
        (x["id"], y["id"])
        for x in rows
        for y in rows
        if x["id"] < y["id"] and x["finished_at"] is not None and y["started_at"] < x["finished_at"]
    ]
    assert overlapping == [], overlapping
    assert {r["holder"] for r in rows} == {holder, rows[-1]["holder"]}
    assert survivor.http.get("/v1/health").status_code == 200


def _ignore_errors(call) -> None:
    try:
        call()
    except httpx.HTTPError:
        pass  # the process serving it was killed: that is the point


def test_refunds_left_unanswered_are_finished_once_by_reconciliation(deployment, sandbox_url, tmp_path):
    """One refund's answer is lost after Toss did it; another never reaches Toss. Both stay
    REQUESTED with their own keys, and the sweep sends each again: a replay for the first, the
    refund itself for the second. Each order is refunded exactly once."""
    recon = Deployment(deployment, sandbox_url, tmp_path, RECONCILE_MIN_AGE_SECONDS="1", RECONCILE_INTERVAL_SECONDS="1")
    shop = recon.start()
    buyer, admin = shop.signup(), shop.admin()
    done_at_toss, never_sent = shop.paid_order(buyer), shop.paid_order(buyer)
    for order, fault in ((done_at_toss, {"lostResponse": True}), (never_sent, {"errorCode": "PROVIDER_ERROR"})):
        with shop.faulted(path="/v1/payments/*/cancel", method="POST", forever=True, **fault):
            r = shop.http.post(
                f"/v1/payments/{order['orderId']}/cancel",
                headers=admin,
                json={"cancelReason": "응답 없는 환불", "cancelAmount": 1000},
            )
        assert r.status_code == 503 and r.json()["code"] == "TOSS_UNAVAILABLE", r.text
    for order in (done_at_toss, never_sent):
        wait_until(
            lambda o=order: (
                shop.rows(
                    "SELECT r.status FROM refund r JOIN payment p ON p.id = r.payment_id WHERE p.order_id = :o",
                    o=o["orderId"],
                )
                == [{"status": "DONE"}]
            ),
            60,
            f"{order['orderId']}'s refund finished",
        )
        row = shop.payment_row(order["orderId"])
        assert (row["status"], row["balance_amount"]) == ("PARTIAL_CANCELED", order["amount"] - 1000)
        [toss] = shop.sandbox.get("/_sandbox/payments", params={"orderId": order["orderId"]}).json()["data"]
        assert [c["cancelAmount"] for c in toss["cancels"]] == [1000]  # once, never twice
