"""The Korean payment window over plain HTTP: what it shows and where each choice sends the buyer."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest

from tests.conftest import SANDBOX_CLIENT_KEY

SHOP = "http://shop.example"
REQUEST = {
    "clientKey": SANDBOX_CLIENT_KEY,
    "method": "카드",
    "amount": "15000",
    "orderId": "order-win-0001",
    "orderName": "텀블러 외 2건",
    "successUrl": f"{SHOP}/pay/success?shop=1",
    "failUrl": f"{SHOP}/pay/fail",
}


def open_window(sandbox: httpx.Client, **changes: str | None) -> httpx.Response:
    params = {k: v for k, v in {**REQUEST, **changes}.items() if v is not None}
    return sandbox.get("/_sandbox/window", params=params)


def form_action(window: httpx.Response) -> str:
    assert window.status_code == 200, window.text
    match = re.search(r'<form method="post" action="([^"]+)"', window.text)
    assert match, window.text
    return html.unescape(match.group(1))


def choose(
    sandbox: httpx.Client, window: httpx.Response, outcome: str, target: str = "self", mode: str = "redirect"
) -> httpx.Response:
    return sandbox.post(form_action(window), data={"outcome": outcome, "target": target, "mode": mode})


def payment_key_of(window: httpx.Response) -> str:
    return form_action(window).rsplit("/", 1)[1]


def redirect_query(response: httpx.Response) -> tuple[str, dict[str, str]]:
    assert response.status_code == 303, response.text
    url = urlsplit(response.headers["location"])
    return f"{url.scheme}://{url.netloc}{url.path}", dict(parse_qsl(url.query))


def status_of(sandbox: httpx.Client, auth: dict[str, str], payment_key: str) -> str:
    return sandbox.get(f"/v1/payments/{payment_key}", headers=auth).json()["status"]


def text_of(page: str) -> str:
    """The visible text of the window's <main>, tags stripped, entities decoded."""
    main = page.split("<main>", 1)[1].split("<script>", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def test_window_shows_merchant_order_amount_and_method_in_korean(sandbox):
    window = open_window(sandbox)
    assert window.status_code == 200
    assert window.headers["content-type"].startswith("text/html")
    assert '<html lang="ko">' in window.text
    shown = " ".join(text_of(window.text).split())
    assert "상점 payapp 샌드박스 상점" in shown
    assert "주문명 텀블러 외 2건" in shown
    assert "결제수단 카드" in shown
    assert "결제 금액 15,000원" in shown
    for choice in ("승인", "카드 거절", "결제 취소"):
        assert f">{choice}</button>" in window.text


def test_window_opened_with_english_method_name_shows_korean_method(sandbox):
    window = open_window(sandbox, method="CARD")
    assert "결제수단 카드" in " ".join(text_of(window.text).split())


def test_opening_the_window_creates_a_ready_payment(sandbox, sandbox_auth):
    window = open_window(sandbox)
    assert status_of(sandbox, sandbox_auth, payment_key_of(window)) == "READY"


def test_approve_redirects_to_success_url_keeping_its_query(sandbox, sandbox_auth):
    window = open_window(sandbox)
    key = payment_key_of(window)
    url, query = redirect_query(choose(sandbox, window, "approve"))
    assert url == f"{SHOP}/pay/success"
    assert query == {
        "shop": "1",
        "paymentType": "NORMAL",
        "orderId": "order-win-0001",
        "paymentKey": key,
        "amount": "15000",
    }
    assert status_of(sandbox, sandbox_auth, key) == "IN_PROGRESS"


def test_approved_window_can_be_confirmed_with_the_redirect_params(sandbox, sandbox_auth):
    _, query = redirect_query(choose(sandbox, open_window(sandbox), "approve"))
    confirmed = sandbox.post(
        "/v1/payments/confirm",
        headers=sandbox_auth,
        json={"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": query["amount"]},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "DONE"


def test_card_reject_sends_buyer_to_fail_url_and_approves_nothing(sandbox, sandbox_auth):
    window = open_window(sandbox)
    url, query = redirect_query(choose(sandbox, window, "reject"))
    assert url == f"{SHOP}/pay/fail"
    assert query == {
        "code": "REJECT_CARD_COMPANY",
        "message": "결제 승인이 거절되었습니다.",
        "orderId": "order-win-0001",
    }
    payment = sandbox.get(f"/v1/payments/{payment_key_of(window)}", headers=sandbox_auth).json()
    assert (payment["status"], payment["failure"]) == ("READY", None)  # left to expire, never ABORTED
    # and the window is spent: no 승인 after the refusal
    again = choose(sandbox, window, "approve")
    assert again.status_code == 404 and "NOT_FOUND_PAYMENT_SESSION" in again.text


def test_buyer_cancel_sends_buyer_to_fail_url_with_pay_process_canceled(sandbox, sandbox_auth):
    window = open_window(sandbox)
    url, query = redirect_query(choose(sandbox, window, "cancel"))
    assert url == f"{SHOP}/pay/fail"
    assert query["code"] == "PAY_PROCESS_CANCELED"
    assert query["message"] == "사용자에 의해 결제가 취소되었습니다."
    # Nothing was authenticated: the payment cannot be confirmed.
    assert status_of(sandbox, sandbox_auth, payment_key_of(window)) == "READY"


def test_a_window_takes_only_one_choice(sandbox):
    window = open_window(sandbox)
    assert choose(sandbox, window, "approve").status_code == 303
    again = choose(sandbox, window, "reject")
    assert again.status_code == 404
    assert "NOT_FOUND_PAYMENT_SESSION" in again.text
    assert "결제를 진행할 수 없습니다" in again.text


def test_unknown_client_key_shows_an_error_page(sandbox):
    window = open_window(sandbox, clientKey="test_ck_unknownMerchant000000000")
    assert window.status_code == 401
    assert window.headers["content-type"].startswith("text/html")
    assert "결제를 진행할 수 없습니다" in window.text
    assert "UNAUTHORIZED_KEY" in window.text
    assert "<form" not in window.text


@pytest.mark.parametrize(
    "changes",
    [
        {"orderId": "abc12"},
        {"orderId": "order#0001"},
        {"orderId": "o" * 65},
        {"orderName": "가" * 101},
        {"orderName": ""},
        {"amount": "0"},
        {"amount": "15,000"},
        {"amount": None},
        {"method": "비트코인"},
        {"successUrl": "/pay/success"},
        {"failUrl": "javascript:alert(1)"},
        {"failUrl": None},
    ],
    ids=lambda c: ",".join(f"{k}={str(v)[:12]}" for k, v in c.items()),
)
def test_invalid_request_shows_an_error_page(sandbox, changes):
    window = open_window(sandbox, **changes)
    assert 400 <= window.status_code < 500
    assert "INVALID_REQUEST" in window.text
    assert "<form" not in window.text
    assert sandbox.get("/_sandbox/payments").json()["count"] == 0


def test_order_name_is_shown_as_text_never_as_markup(sandbox):
    attack = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
    window = open_window(sandbox, orderName=attack)
    assert window.status_code == 200
    assert "<script>alert" not in window.text
    assert "<img" not in window.text
    assert html.escape(attack) in window.text
    assert attack in text_of(window.text)


def test_markup_in_an_invalid_method_is_escaped_on_the_error_page(sandbox):
    window = open_window(sandbox, method="<b>카드</b>")
    assert window.status_code == 400
    assert "<b>" not in window.text


def test_iframe_window_close_button_and_redirect_message(sandbox):
    window = open_window(sandbox, target="iframe")
    assert 'value="iframe"' in window.text
    assert "tosssandbox:close" in window.text
    answer = choose(sandbox, window, "approve", target="iframe")
    assert answer.status_code == 200
    payload = json.loads(re.search(r"parent\.postMessage\((\{.*?\}), \"\*\"\)", answer.text).group(1))
    assert payload["type"] == "tosssandbox:redirect"
    assert payload["url"].startswith(f"{SHOP}/pay/success?shop=1&paymentType=NORMAL&")
    # Without script the buyer still has a way on, out of the iframe.
    assert 'target="_top">계속하기</a>' in answer.text


def test_script_in_a_merchant_url_cannot_break_out_of_the_redirect_message(sandbox):
    evil = f"{SHOP}/</script><script>alert(1)</script>"
    window = open_window(sandbox, successUrl=evil, target="iframe")
    answer = choose(sandbox, window, "approve", target="iframe")
    assert "<script>alert(1)" not in answer.text
    assert answer.text.count("</script>") == 1
    payload = json.loads(re.search(r"parent\.postMessage\((\{.*?\}), \"\*\"\)", answer.text).group(1))
    assert payload["url"].startswith(evil + "?paymentType=NORMAL&")


def test_promise_mode_posts_the_result_to_the_shop_page(sandbox):
    window = open_window(sandbox, successUrl=None, failUrl=None, target="iframe", mode="promise")
    answer = choose(sandbox, window, "approve", target="iframe", mode="promise")
    payload = json.loads(re.search(r"parent\.postMessage\((\{.*?\}), \"\*\"\)", answer.text).group(1))
    assert payload == {
        "type": "tosssandbox:result",
        "ok": True,
        "paymentType": "NORMAL",
        "orderId": "order-win-0001",
        "paymentKey": payment_key_of(window),
        "amount": 15000,
    }


def test_window_opened_without_urls_lands_on_the_sandbox_pages(sandbox):
    window = open_window(sandbox, successUrl=None, failUrl=None)
    answer = choose(sandbox, window, "approve")
    assert answer.status_code == 303
    landing = sandbox.get(answer.headers["location"])
    assert landing.status_code == 200
    assert "결제 인증 완료" in landing.text
    assert parse_qs(urlsplit(answer.headers["location"]).query)["orderId"] == ["order-win-0001"]


def test_error_page_inside_the_overlay_offers_a_way_out(sandbox):
    window = open_window(sandbox, orderId="bad", target="iframe")
    assert window.status_code == 400
    assert ">닫기</button>" in window.text
    assert "tosssandbox:close" in window.text


def test_sdk_is_served_under_the_official_paths(sandbox):
    for path in ("/_sandbox/sdk.js", "/js/v1", "/js/v2/standard"):
        r = sandbox.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/javascript")
        assert "window.TossPayments" in r.text
