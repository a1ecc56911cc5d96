"""An operator in a real browser: filter, open a payment, refund part of it (after confirming
it), then the rest. After each step the table, the timeline, the sandbox ledger and the
database agree. Status chips apply at once, and paging and the CSV follow the applied filter."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.admin.test_admin_payments import KST, sql_counts
from tests.shop.conftest import paid_order, sign_in
from tests.support.app import APP_SETTINGS, DATA_DIRS
from tests.support.servers import ROOT, child_env

pytestmark = pytest.mark.browser


def admin_password(live) -> str:
    return (DATA_DIRS[live.url] / "admin_password").read_text().strip()


def admin_sign_in(page: Page, live) -> None:
    sign_in(page, live.url, "admin@payapp.local", admin_password(live), next_path="/admin/payments")


SEEDED = 160
_seeded: set[str] = set()


def seed_payments(live) -> None:
    """SEEDED demo payments (mostly DONE) in the live app's database, once per app: pages to turn."""
    if live.url not in _seeded:
        env = child_env({"PAYAPP_DATA_DIR": str(DATA_DIRS[live.url])}, tuple(APP_SETTINGS))
        subprocess.run(
            [sys.executable, "-m", "payapp.seed", "--quiet", "--payments", str(SEEDED)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        _seeded.add(live.url)


def listed(live, *statuses: str) -> list[str]:
    """Order ids of the payments with these statuses, newest first, as the table pages them."""
    marks = ", ".join(f"'{s}'" for s in statuses)
    return [
        r["order_id"]
        for r in live.rows(f"SELECT order_id FROM payment WHERE status IN ({marks}) ORDER BY created_at DESC, id DESC")
    ]


def order_cells(page: Page):
    """The 주문번호 cell of each table row."""
    return page.get_by_test_id("admin-row").locator("td:first-child")


LABELS = {"DONE": "결제 완료", "PARTIAL_CANCELED": "부분 취소", "CANCELED": "전액 취소"}


def ask_partial_refund(page: Page, amount: int, reason: str) -> None:
    """Fill the 부분 환불 form and press 다음: the confirmation question opens, nothing is sent."""
    page.get_by_role("button", name="부분 환불").click()
    page.get_by_label("환불 금액").fill(str(amount))
    page.get_by_label("환불 사유", exact=True).fill(reason)
    page.get_by_role("button", name="다음", exact=True).click()
    expect(page.get_by_test_id("confirm-question")).to_have_text(f"정말 {amount:,}원을 환불할까요?")


def agree(live, page: Page, order_id: str, status: str, balance: int) -> None:
    """The detail page, the table, the database and the sandbox ledger say the same."""
    expect(page.get_by_test_id("detail-status")).to_have_text(LABELS[status])
    expect(page.get_by_test_id("detail-balance")).to_have_text(f"{balance:,}원")
    row = live.rows("SELECT status, balance_amount FROM payment WHERE order_id = :o", o=order_id)
    assert row == [{"status": status, "balance_amount": balance}]
    toss = live.sandbox("/_sandbox/payments", orderId=order_id)["data"][0]
    assert (toss["status"], toss["balanceAmount"]) == (status, balance)
    detail_url = page.url
    page.goto(f"{live.url}/admin/payments?q={order_id}")
    table_row = page.get_by_test_id("admin-row")
    expect(table_row).to_have_count(1)
    expect(table_row).to_contain_text(LABELS[status])
    expect(table_row.get_by_role("cell").nth(4)).to_have_text(f"{balance:,}원")
    page.goto(detail_url)
    expect(page.get_by_test_id("detail-status")).to_have_text(LABELS[status])


def test_admin_filters_opens_and_refunds_in_two_steps(page: Page, live):
    paid = paid_order(live)
    order_id, amount = paid["orderId"], paid["amount"]
    admin_sign_in(page, live)
    expect(page.get_by_role("heading", name="결제 관리")).to_be_visible()
    page.get_by_label("검색어").fill(order_id)
    page.get_by_role("button", name="검색").click()
    expect(page).to_have_url(re.compile(rf".*q={order_id}.*"))
    expect(page.get_by_test_id("admin-row")).to_have_count(1)
    expect(page.get_by_test_id("admin-row")).to_contain_text("결제 완료")

    page.get_by_role("link", name=order_id).click()
    expect(page.get_by_test_id("detail-status")).to_have_text("결제 완료")
    agree(live, page, order_id, "DONE", amount)

    # The form only asks; 취소 in the confirmation sends nothing.
    ask_partial_refund(page, 1000, "부분 환불 테스트")
    page.get_by_role("alertdialog").get_by_role("button", name="취소", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert live.rows("SELECT status, balance_amount FROM payment WHERE order_id = :o", o=order_id) == [
        {"status": "DONE", "balance_amount": amount}
    ]
    assert live.sandbox("/_sandbox/payments", orderId=order_id)["data"][0]["balanceAmount"] == amount

    ask_partial_refund(page, 1000, "부분 환불 테스트")
    page.get_by_role("alertdialog").get_by_role("button", name="환불하기", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_test_id("detail-status")).to_have_text("부분 취소")
    expect(page.get_by_test_id("event-row")).to_have_count(3)
    expect(page.get_by_test_id("event-row").last).to_contain_text("부분 취소")
    agree(live, page, order_id, "PARTIAL_CANCELED", amount - 1000)

    page.get_by_role("button", name="전액 환불").click()
    page.get_by_label("전액 환불 사유").fill("나머지 환불")
    page.get_by_role("button", name="전액 환불하기").click()
    expect(page.get_by_test_id("detail-status")).to_have_text("전액 취소")
    expect(page.get_by_test_id("event-row")).to_have_count(4)
    expect(page.get_by_test_id("event-row").last).to_contain_text("전액 취소")
    agree(live, page, order_id, "CANCELED", 0)


def test_partial_refund_over_the_balance_is_refused_in_the_page(page: Page, live):
    paid = paid_order(live, quantity=1)
    order_id, amount = paid["orderId"], paid["amount"]
    admin_sign_in(page, live)
    page.goto(f"{live.url}/admin/payment?orderId={order_id}")
    expect(page.get_by_test_id("detail-status")).to_have_text("결제 완료")
    page.get_by_role("button", name="부분 환불").click()
    page.get_by_label("환불 금액").evaluate("(el) => el.removeAttribute('max')")  # past the browser's own check
    page.get_by_label("환불 금액").fill(str(amount + 1))
    page.get_by_label("환불 사유", exact=True).fill("과다 환불")
    page.get_by_role("button", name="다음", exact=True).click()
    expect(page.get_by_text(f"남은 금액({amount:,}원)을 초과합니다. (CANCEL_AMOUNT_EXCEEDS_BALANCE)")).to_be_visible()
    expect(page.get_by_test_id("confirm-question")).to_have_count(0)  # not even asked
    assert live.rows("SELECT status FROM payment WHERE order_id = :o", o=order_id) == [{"status": "DONE"}]

    # Meanwhile another operator refunds 1,000원: this page still shows the old balance, lets
    # the whole of it through to the confirmation, and the service refuses it there.
    other = live.token("admin@payapp.local", admin_password(live))
    r = httpx.post(
        f"{live.url}/v1/admin/payments/{order_id}/cancel",
        headers=other,
        timeout=30,
        json={"cancelReason": "다른 관리자", "cancelAmount": 1000},
    )
    assert r.status_code == 200, r.text
    page.get_by_label("환불 금액").fill(str(amount))
    page.get_by_label("환불 사유", exact=True).fill("남은 금액 전부")
    page.get_by_role("button", name="다음", exact=True).click()
    expect(page.get_by_test_id("confirm-question")).to_have_text(f"정말 {amount:,}원을 환불할까요?")
    page.get_by_role("alertdialog").get_by_role("button", name="환불하기", exact=True).click()
    expect(
        page.get_by_text(f"남은 금액({amount - 1000:,}원)을 초과합니다. (CANCEL_AMOUNT_EXCEEDS_BALANCE)")
    ).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert live.rows("SELECT status, balance_amount FROM payment WHERE order_id = :o", o=order_id) == [
        {"status": "PARTIAL_CANCELED", "balance_amount": amount - 1000}
    ]


def test_customer_reaching_admin_is_sent_to_login(page: Page, live):
    sign_in(page, live.url)
    page.goto(live.url + "/admin/payments")
    expect(page).to_have_url(re.compile(r".*/login\?next=.*admin.*"))


def test_status_filter_lives_in_the_url(page: Page, live):
    paid_order(live)
    admin_sign_in(page, live)
    page.goto(live.url + "/admin/payments?status=DONE")
    expect(page.get_by_test_id("admin-row").first).to_be_visible()
    for row in page.get_by_test_id("admin-row").all():
        expect(row).to_contain_text("결제 완료")


def test_csv_export_downloads_the_current_filter_once(page: Page, live):
    paid = paid_order(live)
    admin_sign_in(page, live)
    page.goto(f"{live.url}/admin/payments?q={paid['orderId']}")
    expect(page.get_by_test_id("admin-row")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV 내보내기").click()
    body = download.value.path().read_bytes()
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("주문번호,")
    assert len(lines) == 2 and lines[1].startswith(paid["orderId"] + ",")
    link = download.value.url
    assert "ticket=" in link
    again = httpx.get(link, timeout=10)  # the ticket worked once; a copied link does not
    assert again.status_code == 401 and again.json()["code"] == "INVALID_TICKET"


def test_status_chip_applies_at_once_and_paging_and_csv_follow_the_applied_filter(page: Page, live, console_errors):
    seed_payments(live)
    paid_order(live)  # one of today's
    done = listed(live, "DONE")
    assert len(done) > 100
    admin_sign_in(page, live)
    expect(page.get_by_test_id("admin-row")).to_have_count(50)

    chip = page.get_by_test_id("status-chip").filter(has_text="결제 완료")
    chip.click()  # no 검색: the chip alone changes the URL and the table
    expect(page).to_have_url(re.compile(r".*/admin/payments/?\?status=DONE$"))
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(order_cells(page)).to_have_text(done[:50])  # waits for the whole table

    # Typed but not applied: neither the next page nor the CSV may use it.
    page.get_by_label("검색어").fill("not-applied-text")
    page.get_by_role("button", name="다음 50건").click()
    expect(order_cells(page)).to_have_text(done[50:100])  # waits for the whole table
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV 내보내기").click()
    table = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [line[0] for line in table[1:]] == done
    assert {line[6] for line in table[1:]} == {"DONE"}
    page.get_by_role("button", name="이전").click()
    expect(order_cells(page)).to_have_text(done[:50])  # waits for the whole table

    # A second chip adds its status, a chip pressed again takes its status away.
    page.get_by_test_id("status-chip").filter(has_text="전액 취소").click()
    expect(page).to_have_url(re.compile(r".*\?status=CANCELED(%2C|,)DONE$"))
    both = listed(live, "CANCELED", "DONE")
    expect(order_cells(page)).to_have_text(both[:50])  # waits for the whole table
    chip.click()
    expect(page).to_have_url(re.compile(r".*\?status=CANCELED$"))
    expect(chip).to_have_attribute("aria-pressed", "false")
    canceled = listed(live, "CANCELED")
    expect(order_cells(page)).to_have_text(canceled[:50])
    assert console_errors == []


def test_counts_by_status_for_today_7_days_and_the_filter_match_the_database(page: Page, live, console_errors):
    seed_payments(live)
    paid_order(live)  # one of today's
    admin_sign_in(page, live)
    page.goto(f"{live.url}/admin/payments?status=CANCELED")
    canceled = listed(live, "CANCELED")
    expect(page.get_by_test_id("admin-row")).to_have_count(min(50, len(canceled)))
    # Today and 7 days are the whole shop's, 조회 조건 exactly the table's rows; the chips keep
    # counting every status (the filter without its status part), and say so.
    today = datetime.now(KST).date()
    counts = {
        "today": sql_counts(live, today, today),
        "week": sql_counts(live, today - timedelta(days=6), today),
        "filter": sql_counts(live, statuses=("CANCELED",)),
    }
    assert counts["today"]["DONE"] >= 1 and counts["filter"]["CANCELED"] == len(canceled) > 0
    for status, label in (("DONE", "결제 완료"), ("CANCELED", "전액 취소"), ("PARTIAL_CANCELED", "부분 취소")):
        cells = page.get_by_test_id("status-count-row").filter(has_text=label).get_by_role("cell")
        expect(cells).to_have_text([f"{counts[k][status]:,}" for k in ("today", "week", "filter")])
    total = page.get_by_test_id("status-count-row").filter(has_text="합계").get_by_role("cell")
    expect(total).to_have_text([f"{sum(counts[k].values()):,}" for k in ("today", "week", "filter")])
    everything = sql_counts(live)
    for status, label in (("DONE", "결제 완료"), ("CANCELED", "전액 취소")):
        chip_count = page.get_by_test_id("status-chip").filter(has_text=label).get_by_test_id("status-chip-count")
        expect(chip_count).to_have_text(f"{everything[status]:,}")
    expect(page.get_by_test_id("status-chips-note")).to_contain_text("숫자는 상태 선택과 관계없이")
    assert console_errors == []
