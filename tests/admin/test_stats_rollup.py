"""The stats read from the payment_daily rollup equal a straight recomputation from payment,
after real payments, refunds, an aborted confirm and concurrent confirms, on both databases."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, timedelta

import httpx

from tests.admin.test_admin_payments import KST, REVENUE, db_rows

STATUSES = ("READY", "IN_PROGRESS", "WAITING_FOR_DEPOSIT", "DONE", "CANCELED", "PARTIAL_CANCELED", "ABORTED", "EXPIRED")


def expected_stats(
    rows: list[dict], today: date, statuses: tuple[str, ...] = (), first: date | None = None, last: date | None = None
) -> dict:
    """AdminStats as its definition says, computed here from every payment row."""
    in_range = [r for r in rows if (first is None or r["day"] >= first) and (last is None or r["day"] <= last)]
    chosen = statuses or STATUSES
    picked = [r for r in in_range if not statuses or r["status"] in statuses]
    by_status = dict.fromkeys(STATUSES, 0) | Counter(r["status"] for r in picked)

    def counts(of: list[dict]) -> dict[str, int]:
        return dict.fromkeys(STATUSES, 0) | Counter(r["status"] for r in of)

    earning = REVENUE & set(chosen)
    end = last or max(today, first or today)
    start = first or end - timedelta(days=29)

    def revenue(of: list[dict]) -> int:
        return sum(r["balance_amount"] for r in of if r["status"] in earning)

    return {
        "byStatus": by_status,
        "statusFacets": counts(in_range),
        "statusCounts": {
            "today": counts([r for r in rows if r["day"] == today]),
            "last7Days": counts([r for r in rows if 0 <= (today - r["day"]).days < 7]),
            "filter": by_status,
        },
        "count": sum(by_status.values()),
        "revenue": {
            "today": sum(r["balance_amount"] for r in rows if r["status"] in REVENUE and r["day"] == today),
            "last7Days": sum(
                r["balance_amount"] for r in rows if r["status"] in REVENUE and 0 <= (today - r["day"]).days < 7
            ),
            "filter": revenue(picked),
        },
        "daily": [
            {
                "date": d.isoformat(),
                "revenue": revenue([r for r in picked if r["day"] == d]),
                "count": sum(1 for r in picked if r["day"] == d),
            }
            for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
        ],
        "dailyTruncated": False,
        "approximate": False,  # every match counted (a text query's sample was not exceeded)
        "sampleSize": None,
        "sampledSince": None,
    }  # these ranges are all under 366 days


def rollup_rows(shop) -> dict[tuple[str, str], tuple[int, int]]:
    rows = shop.rows("SELECT day, status, count, balance_sum FROM payment_daily")
    return {
        (str(r["day"]), r["status"]): (r["count"], r["balance_sum"]) for r in rows if r["count"] or r["balance_sum"]
    }


def recomputed_rollup(rows: list[dict]) -> dict[tuple[str, str], tuple[int, int]]:
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for r in rows:
        n, b = out.get((r["day"].isoformat(), r["status"]), (0, 0))
        out[(r["day"].isoformat(), r["status"])] = (n + 1, b + r["balance_amount"])
    return {k: v for k, v in out.items() if v != (0, 0)}


def pay_concurrently(shop, buyer: dict, n: int) -> None:
    """n orders confirmed at once: their rollup upserts hit the same (today, status) rows."""
    authorized = [shop.authorize(shop.prepare(buyer)) for _ in range(n)]

    async def confirm_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=shop.url, headers=buyer, timeout=60) as client:
            return await asyncio.gather(
                *[
                    client.post(
                        "/v1/payments/confirm",
                        json={"paymentKey": a["paymentKey"], "orderId": a["orderId"], "amount": a["amount"]},
                    )
                    for a in authorized
                ]
            )

    assert all(r.status_code == 200 for r in asyncio.run(confirm_all()))


def test_rollup_stats_equal_a_recomputation_after_real_operations(data):
    shop, admin, buyer = data["shop"], data["admin"], data["buyer"]

    def refund(order_id: str, amount: int | None = None) -> None:
        body = {"cancelReason": "rollup 테스트", **({"cancelAmount": amount} if amount else {})}
        r = shop.http.post(f"/v1/admin/payments/{order_id}/cancel", headers=admin, json=body)
        assert r.status_code == 200, r.text

    twice = shop.paid_order(buyer)
    refund(twice["orderId"], 1000)
    refund(twice["orderId"], 500)  # PARTIAL_CANCELED → PARTIAL_CANCELED: only the balance moves
    refund(twice["orderId"])  # the rest
    refund(shop.paid_order(buyer)["orderId"])  # DONE → CANCELED
    kept = shop.paid_order(buyer)
    refund(kept["orderId"], 700)
    aborted = shop.authorize(shop.prepare(buyer))
    with shop.faulted(path="/v1/payments/confirm", method="POST", errorCode="REJECT_CARD_PAYMENT"):
        assert shop.confirm(buyer, aborted).status_code == 403
    pay_concurrently(shop, buyer, 6)
    assert shop.payment_row(aborted["orderId"])["status"] == "ABORTED"
    assert shop.payment_row(kept["orderId"])["balance_amount"] == kept["amount"] - 700

    rows = db_rows(shop)
    assert rollup_rows(shop) == recomputed_rollup(rows)
    today = datetime.now(KST).date()
    days = sorted({r["day"] for r in rows})
    views: list[tuple[tuple[str, ...], date | None, date | None]] = [
        ((), None, None),
        (("DONE", "PARTIAL_CANCELED"), None, None),
        (("ABORTED",), None, None),
        ((), today - timedelta(days=29), None),
        (("CANCELED", "DONE"), days[len(days) // 3], days[2 * len(days) // 3]),
        ((), None, days[len(days) // 2]),
        (("PARTIAL_CANCELED",), today, today),
        ((), today + timedelta(days=3), None),
    ]
    for statuses, first, last in views:
        params = {
            "status": ",".join(statuses),
            "from": first.isoformat() if first else "",
            "to": last.isoformat() if last else "",
        }
        r = shop.http.get("/v1/admin/stats", headers=admin, params={k: v for k, v in params.items() if v})
        assert r.status_code == 200, r.text
        assert r.json() == expected_stats(rows, today, statuses, first, last), params


def test_text_search_stats_count_exactly_the_matching_payments(data):
    shop, admin = data["shop"], data["admin"]
    order_id = data["refunded"]["orderId"]
    r = shop.http.get("/v1/admin/stats", headers=admin, params={"q": order_id})
    assert r.status_code == 200, r.text
    rows, today = db_rows(shop), datetime.now(KST).date()
    expected = expected_stats([x for x in rows if x["order_id"] == order_id], today)
    # today / last 7 days are the shop's revenue and counts whatever the filter
    whole = expected_stats(rows, today)
    expected["revenue"] |= {k: v for k, v in whole["revenue"].items() if k != "filter"}
    expected["statusCounts"] |= {k: v for k, v in whole["statusCounts"].items() if k != "filter"}
    assert r.json() == expected
