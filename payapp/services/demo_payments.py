"""The spread of the demo payments (``python -m payapp.seed --payments N``), as rows.

Many buyers (one per 20 payments), statuses mostly DONE with some PARTIAL_CANCELED / CANCELED /
ABORTED / EXPIRED / IN_PROGRESS, creation times over the last 365 days, amounts from the catalog,
order names like "텀블러 외 2건", and a minimal PaymentEvent history per payment (the transitions
it went through). Seeded buyers cannot sign in, and seeded payments carry no raw Toss response
(only real ones do). :mod:`payapp.services.demo_payments_sql` writes the same spread as SQL that
PostgreSQL runs itself; :mod:`payapp.seed_payments` loads either into the database.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from payapp.services.payments import order_name_for
from payapp.store.prepared import OrderItem

FAMILY = ["kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim", "han", "oh", "seo", "shin"]
GIVEN = (
    "minjun seoyeon jiho haeun doyun jiwoo eunwoo sua siwoo jimin yujin hyunwoo chaewon junseo dahyun taeyang "
    "soyeon minseo yerin jaehyun"
).split()
DOMAINS = ["gmail.com", "naver.com", "daum.net", "kakao.com", "hanmail.net", "nate.com", "example.co.kr"]
# (status, weight): most payments go through; a few are refunded, fail, or are still unknown.
STATUSES = [
    ("DONE", 850),
    ("PARTIAL_CANCELED", 40),
    ("CANCELED", 50),
    ("ABORTED", 45),
    ("EXPIRED", 10),
    ("IN_PROGRESS", 5),
]
FAILURES = [
    ("REJECT_CARD_COMPANY", "카드사에서 결제를 거절했습니다."),
    ("EXCEED_MAX_DAILY_PAYMENT_COUNT", "하루 결제 가능 횟수를 초과했습니다."),
    ("INVALID_CARD_EXPIRATION", "카드 유효기간이 올바르지 않습니다."),
]
UNUSABLE_HASH = "!seeded-buyer-no-password"  # not an argon2 hash: verify() always fails
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SPAN = timedelta(days=365)
Products = list[tuple[int, str, int]]  # (id, name, price) of the active catalog
Row = dict[str, object]  # one row to INSERT, by column name


def _b62(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 62)
        out = B62[r] + out
        if n == 0:
            return out


@dataclass
class Batch:
    users: list[Row]
    payments: list[Row]
    events: list[Row]


def generate(
    n: int,
    first_user_id: int,
    first_payment_id: int,
    first_event_id: int,
    products: Products,
    now: datetime,
    rng: random.Random,
    batch_size: int = 20_000,
) -> Iterator[Batch]:
    """Users first (one batch), then payments + their events, oldest first, ids ascending."""
    n_users = max(5, n // 20)
    tag = secrets.token_hex(3)  # lets the seed run again without email collisions
    user_ids = list(range(first_user_id, first_user_id + n_users))
    users = [
        {
            "id": uid,
            "email": f"{rng.choice(GIVEN)}.{rng.choice(FAMILY)}{i}.{tag}@{rng.choice(DOMAINS)}",
            "password_hash": UNUSABLE_HASH,
            "role": "customer",
            "created_at": now - SPAN - timedelta(days=1),
        }
        for i, uid in enumerate(user_ids)
    ]
    yield Batch(users, [], [])
    names, weights = zip(*STATUSES, strict=True)
    # Sorted offsets: ids grow with created_at, as in a live table.
    offsets = sorted(rng.random() for _ in range(n))
    start = now - SPAN
    pid, eid = first_payment_id, first_event_id
    payments: list[Row] = []
    events: list[Row] = []
    for offset in offsets:
        created = start + SPAN * offset
        lines = rng.sample(products, k=rng.choice((1, 1, 1, 2, 2, 3)))
        items = [
            OrderItem(productId=p_id, name=name, price=price, quantity=rng.choice((1, 1, 1, 2, 3)))
            for p_id, name, price in lines
        ]
        amount = sum(i["price"] * i["quantity"] for i in items)
        status = rng.choices(names, weights)[0]
        approved = created + timedelta(seconds=rng.uniform(1, 20))
        key = f"tviva{created:%Y%m%d%H%M%S}{_b62(pid)}{secrets.token_urlsafe(4)}"
        paid = status in ("DONE", "PARTIAL_CANCELED", "CANCELED")
        balance = amount if status in ("DONE", "IN_PROGRESS") else 0
        failure = rng.choice(FAILURES) if status == "ABORTED" else (None, None)
        history: list[tuple[str | None, str, str, dict[str, object]]] = [
            (None, "IN_PROGRESS", "confirm", {"paymentKey": key})
        ]
        if paid:
            history.append(("IN_PROGRESS", "DONE", "confirm", {"balanceAmount": amount}))
        if status == "PARTIAL_CANCELED":
            refund = max(100, int(amount * rng.uniform(0.1, 0.9)) // 100 * 100)  # int KRW, whole 100s
            balance = amount - refund
            history.append(("DONE", status, "cancel", {"cancelAmount": refund, "cancelReason": "부분 환불"}))
        elif status == "CANCELED":
            history.append(("DONE", status, "cancel", {"cancelAmount": amount, "cancelReason": "고객 요청"}))
        elif status in ("ABORTED", "EXPIRED"):
            history.append(("IN_PROGRESS", status, "confirm", {"code": failure[0] or "EXPIRED"}))
        payments.append(
            {
                "id": pid,
                "order_id": "ord_" + secrets.token_urlsafe(18),
                "payment_key": key,
                "order_name": order_name_for([i["name"] for i in items]),
                "amount": amount,
                "balance_amount": balance,
                "method": "카드" if paid else None,
                "status": status,
                "approved_at": approved if paid else None,
                "user_id": rng.choice(user_ids),
                "items": items,
                "failure_code": failure[0],
                "failure_message": failure[1],
                "raw": None,
                "created_at": created,
                "updated_at": created + timedelta(seconds=len(history) * 30),
            }
        )
        for step, (frm, to, source, detail) in enumerate(history):
            events.append(
                {
                    "id": eid,
                    "payment_id": pid,
                    "from_status": frm,
                    "to_status": to,
                    "source": source,
                    "detail": detail,
                    "at": created + timedelta(seconds=step * 30),
                }
            )
            eid += 1
        pid += 1
        if len(payments) >= batch_size:
            yield Batch([], payments, events)
            payments, events = [], []
    if payments:
        yield Batch([], payments, events)
