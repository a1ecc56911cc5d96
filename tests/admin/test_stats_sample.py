"""Stats with a text query: aggregated from the newest matching payments, exact up to the sample's
size, marked approximate beyond it, on both databases (the service on the shop's own database,
with a small sample so that the seeded payments exceed it; the REST answer with the real one)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest
from sqlmodel import Session

from payapp.services import admin_stats
from payapp.services.admin_query import AdminFilters
from payapp.state.admin_view import stats_note
from tests.admin.test_admin_payments import KST, db_rows
from tests.admin.test_stats_rollup import expected_stats

EVERYONE = "@"  # in every buyer's email: every payment matches


def expected(rows: list[dict], newest: list[dict], today: date, statuses: tuple[str, ...] = ()) -> dict:
    """The filter's numbers over ``newest``; today and the last 7 days over the whole shop."""
    out = expected_stats(newest, today, statuses)
    whole = expected_stats(rows, today)
    out["revenue"] |= {k: v for k, v in whole["revenue"].items() if k != "filter"}
    out["statusCounts"] |= {k: v for k, v in whole["statusCounts"].items() if k != "filter"}
    return out


def sampled(shop, filters: AdminFilters, today: date, sample: int) -> dict:
    window = admin_stats._chart_window(filters, today)
    with Session(shop.engine) as session:
        return admin_stats.sampled(session, filters, today, window, sample).model_dump(mode="json")


@pytest.mark.parametrize("statuses", [(), ("DONE", "PARTIAL_CANCELED")])
def test_text_stats_beyond_the_sample_count_the_newest_matches_and_say_so(data, statuses):
    shop, today = data["shop"], datetime.now(KST).date()
    rows = db_rows(shop)  # newest first, as the sample takes them
    assert len(rows) > 60
    got = sampled(shop, AdminFilters(q=EVERYONE, statuses=statuses), today, sample=50)
    want = expected(rows, rows[:50], today, statuses)
    assert got.pop("approximate") is True
    assert got.pop("sampleSize") == 50
    assert datetime.fromisoformat(got.pop("sampledSince")) == rows[49]["created_at"]
    assert got == {k: v for k, v in want.items() if k not in ("approximate", "sampleSize", "sampledSince")}
    assert sum(got["statusFacets"].values()) == 50  # the sample is the filter without its status part


def matches(rows: list[dict], q: str) -> list[dict]:
    """The payments a text query finds, as the list defines it."""
    low = q.lower()
    return [
        r
        for r in rows
        if r["order_id"].startswith(q)
        or (r["payment_key"] or "").startswith(q)
        or low in r["order_name"].lower()
        or low in r["email"].lower()
    ]


def test_a_product_term_beyond_the_sample_is_gathered_then_walked_newest_first(data):
    shop, today = data["shop"], datetime.now(KST).date()
    rows = db_rows(shop)
    names = Counter(r["order_name"].split()[0] for r in rows)
    term = names.most_common(1)[0][0][:2]  # a word of the commonest product, in no buyer's email
    found = matches(rows, term)
    assert len(found) > 20 and not any(term.lower() in r["email"].lower() for r in found)
    got = sampled(shop, AdminFilters(q=term), today, sample=20)
    assert (got.pop("approximate"), got.pop("sampleSize")) == (True, 20)
    assert datetime.fromisoformat(got.pop("sampledSince")) == found[19]["created_at"]
    want = expected(rows, found[:20], today)
    assert got == {k: v for k, v in want.items() if k not in ("approximate", "sampleSize", "sampledSince")}
    assert sampled(shop, AdminFilters(q=term), today, sample=len(found)) == expected(rows, found, today)


def test_text_stats_within_the_sample_are_exact(data):
    shop, today = data["shop"], datetime.now(KST).date()
    rows = db_rows(shop)
    assert sampled(shop, AdminFilters(q=EVERYONE), today, sample=len(rows)) == expected(rows, rows, today)
    one_short = sampled(shop, AdminFilters(q=EVERYONE), today, sample=len(rows) - 1)
    assert one_short["approximate"] is True and one_short["count"] == len(rows) - 1


def test_rest_stats_say_whether_they_are_approximate(data):
    shop, admin = data["shop"], data["admin"]
    r = shop.http.get("/v1/admin/stats", headers=admin, params={"q": EVERYONE})
    assert r.status_code == 200, r.text
    rows, today = db_rows(shop), datetime.now(KST).date()
    assert len(rows) < admin_stats.SAMPLE
    assert r.json() == expected(rows, rows, today)  # every match counted: exact, and says so


def test_the_page_says_when_stats_are_a_sample(data):
    shop, today = data["shop"], datetime.now(KST).date()
    window = admin_stats._chart_window(AdminFilters(q=EVERYONE), today)
    with Session(shop.engine) as session:
        approximate = admin_stats.sampled(session, AdminFilters(q=EVERYONE), today, window, 50)
        exact = admin_stats.sampled(session, AdminFilters(q=EVERYONE), today, window, 10_000)
    since = approximate.sampledSince.strftime("%Y-%m-%d %H:%M") if approximate.sampledSince else "?"
    assert stats_note(approximate) == (
        f"검색 결과가 많아 조회 조건의 건수·매출·차트는 최근 50건, {since} 이후 기준 근사치입니다 "
        "(오늘·최근 7일은 전체 결제 기준)."
    )
    assert stats_note(exact) == ""
