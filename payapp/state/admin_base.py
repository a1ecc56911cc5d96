"""The one way an admin page's state asks "is this an admin?": every admin state extends
``AdminState`` (as reflex-local-auth's protected states extend its LocalAuthState). The
services check the actor again; this decides what a page shows and sends."""

from __future__ import annotations

import reflex as rx

from payapp.models import User
from payapp.services.errors import forbidden
from payapp.services.guards import is_admin, require_admin
from payapp.state.auth import AuthState


class AdminState(rx.State):
    async def _admin_user(self) -> User | None:
        """The signed-in admin; None for a visitor or a customer."""
        user = await (await self.get_state(AuthState)).current_user()
        return user if user is not None and is_admin(user) else None

    async def _require_admin(self) -> User:
        """The signed-in admin, or FORBIDDEN (403) for anyone else."""
        user = await (await self.get_state(AuthState)).current_user()
        if user is None:
            raise forbidden("관리자 권한이 필요합니다.")
        return require_admin(user)
