"""Rows for in-process tests, written straight to the configured database (``payapp.db``):
a buyer or an admin, a product at a price. Payments are made the way the shop makes them,
through the services (tests/fast) or the REST client (tests/support/client.py)."""

from __future__ import annotations

import uuid

from payapp.db import session_scope
from payapp.models import Product, Role, User

NO_PASSWORD = "!factory-user-no-password"  # not an argon2 hash: nobody signs in as it


def make_user(role: str = Role.CUSTOMER) -> User:
    """A new user of ``role`` (a buyer by default), stored; it cannot sign in."""
    user = User(email=f"{role}-{uuid.uuid4().hex[:10]}@example.com", password_hash=NO_PASSWORD, role=role)
    with session_scope() as session:
        session.add(user)
        session.commit()
        session.refresh(user)
    return user


def make_product(price: int = 12_000, name: str = "테스트 상품", active: bool = True) -> Product:
    """A new product at ``price`` won, stored."""
    product = Product(name=name, price=price, active=active)
    with session_scope() as session:
        session.add(product)
        session.commit()
        session.refresh(product)
    return product
