"""Who may do what: the one way a service (or the API's dependencies) checks its actor."""

from __future__ import annotations

from payapp.models import Role, User

from .errors import forbidden, not_found


def is_admin(actor: User) -> bool:
    return actor.role == Role.ADMIN


def require_admin(actor: User, message: str = "관리자 권한이 필요합니다.") -> User:
    """The actor, if an admin; FORBIDDEN (403) otherwise."""
    if not is_admin(actor):
        raise forbidden(message)
    return actor


def require_owner(actor: User, owner_id: int | None) -> User:
    """The actor, if it owns the thing; otherwise PAYMENT_INFO_NOT_FOUND (404): a stranger is
    never told that someone else's order exists."""
    if owner_id is None or actor.id != owner_id:
        raise not_found()
    return actor


def require_owner_or_admin(actor: User, owner_id: int | None) -> User:
    """The actor, if it owns the thing or is an admin; otherwise as ``require_owner``."""
    return actor if is_admin(actor) else require_owner(actor, owner_id)
