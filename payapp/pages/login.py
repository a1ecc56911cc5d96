"""/login and /signup: email + password against the User table."""

from __future__ import annotations

import reflex as rx

from payapp import routes
from payapp.components.layout import layout
from payapp.state.auth import PASSWORD_RULE, AuthState


def _field(label: str, name: str, kind: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, style={"fontSize": "var(--font-size-2)", "fontWeight": 500}),
        rx.input(id=name, name=name, type=kind, required=True, size="3", width="100%", auto_complete=autocomplete),
        spacing="1",
        width="100%",
    )


def _form(title: str, submit: str, on_submit, fields: list[rx.Component], footer: rx.Component) -> rx.Component:
    return layout(
        rx.center(
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading(title, size="6", as_="h1"),
                        *fields,
                        rx.cond(
                            AuthState.form_error != "",
                            rx.callout(AuthState.form_error, color_scheme="red", role="alert", width="100%"),
                        ),
                        rx.button(submit, type="submit", size="3", width="100%"),
                        footer,
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=on_submit,
                    reset_on_submit=False,
                ),
                width="100%",
                max_width="420px",
            ),
            padding_y="2em",
        ),
    )


def login_page() -> rx.Component:
    return _form(
        "로그인",
        "로그인",
        AuthState.login,
        [
            _field("이메일", "email", "email", "username"),
            _field("비밀번호", "password", "password", "current-password"),
        ],
        rx.text("처음이신가요? ", rx.link("회원가입", href=routes.SIGNUP + AuthState.next_query), size="2"),
    )


def signup_page() -> rx.Component:
    return _form(
        "회원가입",
        "가입하기",
        AuthState.signup,
        [
            _field("이메일", "email", "email", "username"),
            _field("비밀번호", "password", "password", "new-password"),
            _field("비밀번호 확인", "password_confirm", "password", "new-password"),
            rx.text(PASSWORD_RULE, size="1", color_scheme="gray"),
        ],
        rx.text("이미 계정이 있나요? ", rx.link("로그인", href=routes.LOGIN + AuthState.next_query), size="2"),
    )
