"""A Toss answer older than what we hold never moves a payment back, and a refund after one is
a real refund: its Idempotency-Key can't be an earlier refund's."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from payapp.models import EventSource
from payapp.sandbox.config import SANDBOX_SECRET_KEY
from payapp.services.payments.apply import apply_answer
from payapp.toss import TossPayment
from tests.conftest import basic


def toss_view(shop, payment_key: str) -> TossPayment:
    r = shop.sandbox.get(f"/v1/payments/{payment_key}", headers=basic(SANDBOX_SECRET_KEY))
    assert r.status_code == 200, r.text
    return TossPayment.model_validate(r.json())


def refund(shop, admin, order_id: str, amount: int):
    return shop.http.post(
        f"/v1/payments/{order_id}/cancel", headers=admin, json={"cancelReason": "부분 환불", "cancelAmount": amount}
    )


def test_a_stale_settle_beside_a_refund_never_undoes_it_and_the_next_refund_is_real(pg_shop):
    """Today's race, step by step: after a first 1,000원 refund a settle reads Toss
    (PARTIAL_CANCELED, balance −1,000), a second refund lands (−2,000), then the settle applies
    what it read. Before: PARTIAL_CANCELED → PARTIAL_CANCELED is a legal move, so the balance went
    back up to −1,000 and ``raw.cancels`` lost the second refund; the next 1,000원 refund then
    rebuilt the second one's key (``cancel:{order}:2:{balance}:1000``), Toss replayed it, and
    nothing was refunded while the page said 환불했습니다."""
    shop = pg_shop
    buyer, admin = shop.signup(), shop.admin()
    paid = shop.paid_order(buyer)
    order_id, amount = paid["orderId"], paid["amount"]
    assert refund(shop, admin, order_id, 1000).status_code == 200
    stale = toss_view(shop, paid["paymentKey"])  # what the slow settle read
    second = refund(shop, admin, order_id, 1000)
    assert second.status_code == 200 and second.json()["balanceAmount"] == amount - 2000, second.text
    events_before = len(shop.events(order_id))

    # The settle now applies its old answer, through the real apply code, on the real database.
    engine = sa.create_engine(shop.db_url.replace("postgresql://", "postgresql+psycopg://"))
    with Session(engine, expire_on_commit=False) as session:
        apply_answer(session, order_id, stale, EventSource.RECONCILE)
        session.commit()
    row = shop.payment_row(order_id)
    assert (row["status"], row["balance_amount"]) == ("PARTIAL_CANCELED", amount - 2000)
    assert len(shop.events(order_id)) == events_before  # nothing moved
    assert len(row["raw"]["cancels"]) == 2  # the cancels we hold are kept
    assert row["checked_at"] is not None

    third = refund(shop, admin, order_id, 1000)
    assert third.status_code == 200 and third.json()["balanceAmount"] == amount - 3000, third.text
    toss = toss_view(shop, paid["paymentKey"])
    assert [c.cancelAmount for c in toss.cancels] == [1000, 1000, 1000]  # three refunds really happened
    assert toss.balanceAmount == amount - 3000
    log = shop.sandbox.get("/_sandbox/requests", params={"method": "POST"}).json()["data"]
    keys = [e["idempotencyKey"] for e in log if e["path"] == f"/v1/payments/{paid['paymentKey']}/cancel"]
    assert keys == [f"refund:{order_id}:{n}" for n in (1, 2, 3)], keys
    refunds = shop.rows(
        "SELECT r.seq, r.status, r.amount FROM refund r JOIN payment p ON p.id = r.payment_id "
        "WHERE p.order_id = :o ORDER BY seq",
        o=order_id,
    )
    assert refunds == [{"seq": n, "status": "DONE", "amount": 1000} for n in (1, 2, 3)]


def test_an_answer_about_another_payment_is_never_written_onto_an_order(pg_shop):
    shop = pg_shop
    buyer = shop.signup()
    mine, other = shop.paid_order(buyer), shop.paid_order(buyer)
    foreign = toss_view(shop, other["paymentKey"]).model_copy(update={"orderId": mine["orderId"]})
    engine = sa.create_engine(shop.db_url.replace("postgresql://", "postgresql+psycopg://"))
    with Session(engine, expire_on_commit=False) as session:
        apply_answer(session, mine["orderId"], foreign, EventSource.RECONCILE)
        session.commit()
    assert shop.payment_row(mine["orderId"])["payment_key"] == mine["paymentKey"]
