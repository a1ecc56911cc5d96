"""Page guards, in the manner of reflex-local-auth's ``require_login``."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from payapp.models import Role
from payapp.state.auth import AuthState

Page = Callable[[], rx.Component]


def _guarded(page: Page, allowed: rx.Var, role: str) -> Page:
    def guarded_page() -> rx.Component:
        return rx.cond(
            rx.State.is_hydrated & allowed,
            page(),
            rx.center(rx.spinner(size="3"), padding="4em", on_mount=AuthState.guard(role)),
        )

    guarded_page.__name__ = page.__name__
    return guarded_page


def require_login(page: Page) -> Page:
    """Render ``page`` for a signed-in user; others go to /login and come back after."""
    return _guarded(page, AuthState.signed_in, "")


def require_role(role: Role) -> Callable[[Page], Page]:
    """Render ``page`` only for users with ``role``; anyone else goes to /login."""

    def decorate(page: Page) -> Page:
        allowed = AuthState.is_admin if role == Role.ADMIN else AuthState.signed_in
        return _guarded(page, allowed, str(role))

    return decorate
