"""Sign-up, sign-in, a session that survives a reload, sign-out — with a server-issued token."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_sign_up_keeps_the_session_across_reloads_and_signs_out(page: Page, live):
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(live.url + "/signup")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호", exact=True).fill("short")
    page.get_by_label("비밀번호 확인").fill("short")
    page.get_by_role("button", name="가입하기").click()
    expect(page.get_by_role("alert")).to_contain_text("8자 이상")

    page.get_by_label("비밀번호", exact=True).fill("goodpass123")
    page.get_by_label("비밀번호 확인").fill("goodpass123")
    page.get_by_role("button", name="가입하기").click()
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()
    # Signing up lands on the shop; wait for that redirect before reloading, or the reload races it.
    expect(page).to_have_url(re.compile(r"^" + re.escape(live.url) + r"/?$"))
    page.reload()
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()

    token = page.evaluate("window.localStorage.getItem('payapp_session')")
    assert token and len(token) >= 40
    stored = live.rows(
        'SELECT s.token_hash FROM auth_session s JOIN "user" u ON u.id = s.user_id WHERE u.email = :e', e=email
    )
    assert stored == [{"token_hash": hashlib.sha256(token.encode()).hexdigest()}]
    assert token not in page.url

    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="로그인")).to_be_visible()
    expect(page).to_have_url(re.compile(r"^" + re.escape(live.url) + r"/?$"))
    assert (
        live.rows('SELECT s.id FROM auth_session s JOIN "user" u ON u.id = s.user_id WHERE u.email = :e', e=email) == []
    )


def test_wrong_password_is_refused_with_a_korean_message(page: Page, live):
    page.goto(live.url + "/login")
    page.get_by_label("이메일").fill("demo@payapp.local")
    page.get_by_label("비밀번호").fill("wrongpass1")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("alert")).to_have_text("이메일 또는 비밀번호가 올바르지 않습니다.")
    expect(page).to_have_url(re.compile(r".*/login.*"))
