"""Who is signed in, and the sign-in / sign-up / sign-out events.

The session token is issued by the server (``secrets.token_urlsafe``), kept by the browser
in localStorage, and stored only as a SHA-256 on the server. It is never the Reflex client
token (which every websocket URL shows).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

import reflex as rx

from payapp import routes
from payapp.models import Role, User
from payapp.services import accounts
from payapp.services.accounts import PASSWORD_RULE  # the sign-up page states the rule

__all__ = ["PASSWORD_RULE", "AuthState", "safe_next"]
from payapp.services.errors import ServiceError
from payapp.services.inputs import Credentials


def safe_next(target: str | None, default: str = routes.INDEX) -> str:
    """Only same-site paths: "/orders" yes, "//evil.example" or "https://…" no."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


class AuthState(rx.State):
    session_token: str = rx.LocalStorage("", name="payapp_session", sync=True)
    form_error: str = ""

    @rx.var(cache=True)
    async def viewer(self) -> dict[str, str]:
        """The signed-in user's email and role ({} when signed out); nothing secret.
        Async, so the lookup runs in a database thread, never on the event loop."""
        if not self.session_token:
            return {}
        token = self.session_token
        user = await accounts.session_user(token)
        return {"email": user.email, "role": user.role} if user else {}

    @rx.var
    async def signed_in(self) -> bool:
        return bool(await self.viewer)

    @rx.var
    async def is_admin(self) -> bool:
        return (await self.viewer).get("role") == Role.ADMIN

    async def current_user(self) -> User | None:
        """The signed-in user for event handlers (a plain method, not an event)."""
        token = self.session_token
        if not token:
            return None
        return await accounts.session_user(token)

    def _next(self) -> str:
        return safe_next(self.router.url.query_parameters.get("next"))

    @rx.var
    def next_query(self) -> str:
        """``?next=…`` for the links between /login and /signup, so that a buyer who signs
        up instead of signing in still comes back to the product they were buying."""
        target = safe_next(self.router.url.query_parameters.get("next"), "")
        return f"?next={quote(target, safe='')}" if target else ""

    async def _sign_in(self, find_user: Callable[[], Awaitable[User]]):
        """Open a session for the user ``find_user`` returns (or show its error), then go on."""
        self.form_error = ""
        try:
            user = await find_user()
            self.session_token = await accounts.start_session(user)
        except ServiceError as err:
            self.form_error = err.message
            return None
        return rx.redirect(self._next())

    @rx.event
    async def login(self, form: dict):
        email, password = form.get("email", ""), form.get("password", "")
        return await self._sign_in(lambda: accounts.sign_in(Credentials.parse({"email": email, "password": password})))

    @rx.event
    async def signup(self, form: dict):
        email, password = form.get("email", ""), form.get("password", "")
        if password != form.get("password_confirm", password):
            self.form_error = "비밀번호 확인이 일치하지 않습니다."
            return None
        return await self._sign_in(lambda: accounts.sign_up(Credentials.parse({"email": email, "password": password})))

    @rx.event
    async def logout(self):
        token = self.session_token
        self.session_token = ""
        await accounts.end_session(token)
        return rx.redirect(routes.INDEX)

    @rx.event
    async def guard(self, role: str = ""):
        """Send a visitor without the right sign-in to /login, once the page has hydrated."""
        if not self.is_hydrated:
            return AuthState.guard(role)
        viewer = await self.viewer
        if not viewer or (role and viewer.get("role") != role):
            path = self.router.url.path or routes.INDEX
            query = self.router.url.query
            here = path + (f"?{query}" if query else "")
            return rx.redirect(f"{routes.LOGIN}?next={quote(here, safe='')}")
