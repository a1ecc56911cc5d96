"""The admin payments API against what the database says, on PostgreSQL and the embedded default."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

KST = ZoneInfo("Asia/Seoul")
REVENUE = {"DONE", "PARTIAL_CANCELED"}


def utc(value) -> datetime:
    """A created_at as either driver gives it back (SQLite: naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def db_rows(shop) -> list[dict]:
    """Every payment, newest first, as the table should list them."""
    rows = shop.rows(
        "SELECT p.id, p.order_id, p.payment_key, p.order_name, u.email, p.amount, p.balance_amount, "
        'p.status, p.created_at FROM payment p JOIN "user" u ON u.id = p.user_id'
    )
    for row in rows:
        row["created_at"] = utc(row["created_at"])
        row["day"] = row["created_at"].astimezone(KST).date()
    return sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)


def all_pages(shop, auth, limit: int = 37, **params) -> list[dict]:
    rows, cursor, seen_cursors = [], None, 0
    while True:
        r = shop.http.get(
            "/v1/admin/payments",
            headers=auth,
            params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["data"]) <= limit
        rows += body["data"]
        cursor = body["nextCursor"]
        seen_cursors += 1
        if cursor is None:
            return rows
        assert seen_cursors < 1000


def order_ids(rows: list[dict]) -> list[str]:
    return [r["orderId"] if "orderId" in r else r["order_id"] for r in rows]


def test_pages_walk_every_payment_once_newest_first(data):
    shop, admin = data["shop"], data["admin"]
    expected = db_rows(shop)
    listed = all_pages(shop, admin)
    assert order_ids(listed) == order_ids(expected)  # same order: no duplicate, no gap
    first = shop.http.get("/v1/admin/payments", headers=admin).json()
    assert len(first["data"]) == 50 and first["count"] == len(expected) and first["countCapped"] is False
    assert first["data"][0]["createdAt"].endswith("+09:00")


def test_status_filter_takes_several_statuses(data):
    shop, admin = data["shop"], data["admin"]
    wanted = {"CANCELED", "PARTIAL_CANCELED"}
    expected = [r for r in db_rows(shop) if r["status"] in wanted]
    assert expected
    assert order_ids(all_pages(shop, admin, status="CANCELED,PARTIAL_CANCELED")) == order_ids(expected)
    repeated = shop.http.get("/v1/admin/payments?status=CANCELED&status=PARTIAL_CANCELED&limit=200", headers=admin)
    assert order_ids(repeated.json()["data"]) == order_ids(expected)[:200]


def test_a_limit_above_the_page_maximum_is_capped_and_the_rest_follows_by_cursor(data):
    shop, admin = data["shop"], data["admin"]
    total = len(db_rows(shop))
    r = shop.http.get("/v1/admin/payments", headers=admin, params={"limit": 100_000})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["data"]) == min(total, 200)
    assert (body["nextCursor"] is not None) == (total > 200)
    assert order_ids(all_pages(shop, admin, limit=100_000)) == order_ids(db_rows(shop))


def test_date_range_is_inclusive_kst_days(data):
    shop, admin = data["shop"], data["admin"]
    rows = db_rows(shop)
    days = sorted({r["day"] for r in rows})
    first, last = days[len(days) // 3], days[2 * len(days) // 3]
    expected = [r for r in rows if first <= r["day"] <= last]
    listed = all_pages(shop, admin, **{"from": first.isoformat(), "to": last.isoformat()})
    assert order_ids(listed) == order_ids(expected) and expected


@pytest.mark.parametrize("field", ["order_id", "payment_key", "order_name", "email"])
def test_text_search_finds_each_field(data, field):
    shop, admin = data["shop"], data["admin"]
    rows = db_rows(shop)
    sample = next(r for r in rows[len(rows) // 2 :] if r[field])
    if field in ("order_id", "payment_key"):  # identifiers: by prefix, exact case
        q = sample[field][:14]
        expected = [
            r
            for r in rows
            if (r["order_id"] or "").startswith(q)
            or (r["payment_key"] or "").startswith(q)
            or q.lower() in r["order_name"].lower()
            or q.lower() in r["email"]
        ]
    else:  # text: anywhere, any case
        q = sample[field][2:9] if field == "email" else sample[field].split()[0][1:]
        expected = [
            r
            for r in rows
            if q.lower() in r["order_name"].lower()
            or q.lower() in r["email"].lower()
            or r["order_id"].startswith(q)
            or (r["payment_key"] or "").startswith(q)
        ]
        q = q.upper() if field == "email" else q
    listed = all_pages(shop, admin, limit=200, q=q)
    assert sample["order_id"] in order_ids(listed)
    assert order_ids(listed) == order_ids(expected)


def test_search_treats_like_wildcards_as_text(data):
    shop, admin = data["shop"], data["admin"]
    r = shop.http.get("/v1/admin/payments", headers=admin, params={"q": "%"})
    assert r.status_code == 200 and r.json()["data"] == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"cursor": "not a cursor"}, "INVALID_CURSOR"),
        ({"cursor": "QUJD"}, "INVALID_CURSOR"),
        ({"status": "PAID"}, "INVALID_REQUEST"),
        ({"from": "2026-13-01"}, "INVALID_REQUEST"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "INVALID_REQUEST"),
        ({"limit": "0"}, "INVALID_REQUEST"),
        ({"limit": "abc"}, "INVALID_REQUEST"),
    ],
)
def test_bad_query_is_a_400_with_a_code(data, params, code):
    shop, admin = data["shop"], data["admin"]
    for path in ("/v1/admin/payments", "/v1/admin/stats", "/v1/admin/payments.csv"):
        if path != "/v1/admin/payments" and ("cursor" in params or "limit" in params):
            continue
        r = shop.http.get(path, headers=admin, params=params)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["code"] == code and r.json()["message"]


def test_csv_rows_match_the_filter_exactly(data):
    shop, admin = data["shop"], data["admin"]
    params = {"status": "DONE,PARTIAL_CANCELED,CANCELED", "q": "외"}
    r = shop.http.get("/v1/admin/payments.csv", headers=admin, params=params)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith('attachment; filename="payments_')
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8 Korean correctly
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0] == ["주문번호", "상품", "구매자", "금액", "잔액", "결제수단", "상태", "승인시각(KST)"]
    listed = all_pages(shop, admin, limit=200, **params)
    assert len(listed) > 1
    assert [row[0] for row in table[1:]] == order_ids(listed)
    for line, row in zip(table[1:], listed, strict=True):
        approved = datetime.fromisoformat(row["approvedAt"]).strftime("%Y-%m-%d %H:%M:%S") if row["approvedAt"] else ""
        assert line == [
            row["orderId"],
            row["orderName"],
            row["buyerEmail"],
            str(row["amount"]),
            str(row["balanceAmount"]),
            row["method"] or "",
            row["status"],
            approved,
        ]


def test_csv_of_everything_streams_every_row(data):
    shop, admin = data["shop"], data["admin"]
    with shop.http.stream("GET", "/v1/admin/payments.csv", headers=admin) as r:
        body = b"".join(r.iter_bytes())
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]
    assert [line[0] for line in lines] == order_ids(db_rows(shop))


def test_stats_equal_sums_computed_from_the_database(data):
    shop, admin = data["shop"], data["admin"]
    rows = db_rows(shop)
    days = sorted({r["day"] for r in rows})
    first, last = days[len(days) // 4], days[3 * len(days) // 4]
    r = shop.http.get(
        "/v1/admin/stats",
        headers=admin,
        params={"from": first.isoformat(), "to": last.isoformat(), "status": "DONE,CANCELED"},
    )
    assert r.status_code == 200, r.text
    stats = r.json()
    in_range = [x for x in rows if first <= x["day"] <= last]
    chosen = [x for x in in_range if x["status"] in ("DONE", "CANCELED")]
    for status in ("DONE", "CANCELED", "PARTIAL_CANCELED", "ABORTED", "IN_PROGRESS"):
        # byStatus: exactly the listed payments; statusFacets: the filter without its statuses (the chips)
        assert stats["byStatus"][status] == sum(1 for x in chosen if x["status"] == status)
        assert stats["statusFacets"][status] == sum(1 for x in in_range if x["status"] == status)
    assert stats["count"] == len(chosen) == sum(stats["byStatus"].values())
    assert stats["revenue"]["filter"] == sum(x["balance_amount"] for x in chosen if x["status"] in REVENUE)
    today = datetime.now(KST).date()
    assert stats["revenue"]["today"] == sum(
        x["balance_amount"] for x in rows if x["status"] in REVENUE and x["day"] == today
    )
    assert stats["revenue"]["last7Days"] == sum(
        x["balance_amount"] for x in rows if x["status"] in REVENUE and 0 <= (today - x["day"]).days < 7
    )
    daily = {date.fromisoformat(d["date"]): d for d in stats["daily"]}
    assert min(daily) == first and max(daily) == last and len(daily) == (last - first).days + 1
    for day, point in daily.items():
        that_day = [x for x in chosen if x["day"] == day]
        assert point["count"] == len(that_day)
        assert point["revenue"] == sum(x["balance_amount"] for x in that_day if x["status"] in REVENUE)


STATUSES = ("READY", "IN_PROGRESS", "WAITING_FOR_DEPOSIT", "DONE", "CANCELED", "PARTIAL_CANCELED", "ABORTED", "EXPIRED")


def sql_counts(
    shop,
    first: date | None = None,
    last: date | None = None,
    statuses: tuple[str, ...] = (),
    order_id: str | None = None,
) -> dict[str, int]:
    """status → count(*) straight from the payment table: created on the KST days first … last."""
    sqlite = shop.engine.dialect.name == "sqlite"
    created = "datetime(created_at)" if sqlite else "created_at"  # SQLite: text, compared as UTC seconds

    def bound(day: date):
        moment = datetime.combine(day, datetime.min.time(), KST).astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S") if sqlite else moment

    where, params = ["1 = 1"], {}
    if first is not None:
        where.append(f"{created} >= :start")
        params["start"] = bound(first)
    if last is not None:
        where.append(f"{created} < :end")
        params["end"] = bound(last + timedelta(days=1))
    if statuses:
        assert set(statuses) <= set(STATUSES)
        where.append("status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")")
    if order_id is not None:
        where.append("order_id = :order_id")
        params["order_id"] = order_id
    found = shop.rows(
        f"SELECT status, count(*) AS n FROM payment WHERE {' AND '.join(where)} GROUP BY status", **params
    )
    return dict.fromkeys(STATUSES, 0) | {r["status"]: r["n"] for r in found}


def test_counts_by_status_for_today_7_days_and_the_filter_equal_a_direct_sql_count(data):
    shop, admin = data["shop"], data["admin"]
    order_id = data["refunded"]["orderId"]
    today = datetime.now(KST).date()
    days = sorted({r["day"] for r in db_rows(shop)})
    first, last = days[len(days) // 4], days[3 * len(days) // 4]
    whole_today, whole_week = sql_counts(shop, today, today), sql_counts(shop, today - timedelta(days=6), today)
    assert whole_today["DONE"] + whole_today["PARTIAL_CANCELED"] >= 2  # the fixture's own payments
    views = [  # (statuses, from, to, q): rollup views first, then text searches (scanned)
        ((), None, None, None),
        (("DONE", "CANCELED"), first, last, None),
        ((), first, None, None),
        (("PARTIAL_CANCELED",), None, None, None),
        (("ABORTED", "DONE"), today - timedelta(days=6), today, None),
        ((), None, None, order_id),
        (("PARTIAL_CANCELED", "DONE"), None, today, order_id),
        (("DONE",), None, None, order_id),
    ]
    for statuses, start, end, q in views:
        params = {
            "status": ",".join(statuses),
            "from": start.isoformat() if start else "",
            "to": end.isoformat() if end else "",
            "q": q or "",
        }
        r = shop.http.get("/v1/admin/stats", headers=admin, params={k: v for k, v in params.items() if v})
        assert r.status_code == 200, r.text
        stats = r.json()
        listed = sql_counts(shop, start, end, statuses, q)
        assert stats["statusCounts"] == {"today": whole_today, "last7Days": whole_week, "filter": listed}, params
        assert stats["byStatus"] == listed and stats["count"] == sum(listed.values()), params
        assert stats["statusFacets"] == sql_counts(shop, start, end, (), q), params
        if q:
            assert sum(listed.values()) == (1 if not statuses or "PARTIAL_CANCELED" in statuses else 0)


def test_detail_has_the_buyer_the_event_timeline_and_the_raw_toss_answer(data):
    shop, admin = data["shop"], data["admin"]
    order_id = data["refunded"]["orderId"]
    r = shop.http.get(f"/v1/admin/payments/{order_id}", headers=admin)
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["status"] == "PARTIAL_CANCELED" and detail["balanceAmount"] == detail["amount"] - 1000
    assert detail["buyerEmail"].startswith("buyer-") and detail["items"]
    assert [(e["fromStatus"], e["toStatus"]) for e in detail["events"]] == [
        (None, "IN_PROGRESS"),
        ("IN_PROGRESS", "DONE"),
        ("DONE", "PARTIAL_CANCELED"),
    ]
    assert detail["events"][-1]["detail"]["cancelAmount"] == 1000
    assert detail["raw"]["orderId"] == order_id and detail["raw"]["balanceAmount"] == detail["balanceAmount"]
    assert len(detail["events"]) == len(shop.events(order_id))
    missing = shop.http.get("/v1/admin/payments/ord_does_not_exist", headers=admin)
    assert missing.status_code == 404 and missing.json()["code"] == "PAYMENT_INFO_NOT_FOUND"


def test_admin_refund_is_bounded_by_the_balance_and_sync_rereads_toss(data):
    shop, admin = data["shop"], data["admin"]
    order_id = data["paid"]["orderId"]
    over = shop.http.post(
        f"/v1/admin/payments/{order_id}/cancel",
        headers=admin,
        json={"cancelReason": "과다", "cancelAmount": data["paid"]["amount"] + 1},
    )
    assert over.status_code == 400 and over.json()["code"] == "CANCEL_AMOUNT_EXCEEDS_BALANCE"
    synced = shop.http.post(f"/v1/admin/payments/{order_id}/sync", headers=admin)
    assert synced.status_code == 200 and synced.json()["status"] == "DONE"
    assert shop.payment_row(order_id)["balance_amount"] == data["paid"]["amount"]
