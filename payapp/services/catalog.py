"""Products, and the small demo catalog ``make run`` seeds."""

from __future__ import annotations

from sqlmodel import Session, col, select

from payapp.db import run_db
from payapp.models import Product
from payapp.schemas import ProductView

DEMO_CATALOG = [
    ("스테인리스 텀블러", "보온·보냉 12시간, 473ml", 12000, "/products/tumbler.svg"),
    ("유기농 드립백 커피 10입", "에티오피아 예가체프 원두", 15900, "/products/coffee.svg"),
    ("리넨 에코백", "가볍고 튼튼한 데일리 가방", 8900, "/products/ecobag.svg"),
    ("무선 충전 패드", "15W 고속 충전, USB-C", 29000, "/products/charger.svg"),
    ("핸드드립 세트", "드리퍼, 서버, 필터 40매", 45000, "/products/dripset.svg"),
    ("제주 녹차 티백 20입", "제주 유기농 녹차", 7500, "/products/tea.svg"),
]


async def products() -> list[ProductView]:
    """The products on sale, oldest first (what the shop page and GET /v1/products show)."""
    return await run_db(list_products)


def list_products(session: Session) -> list[ProductView]:
    rows = session.exec(select(Product).where(col(Product.active).is_(True)).order_by(col(Product.id)))
    return [ProductView(id=p.id, name=p.name, description=p.description, price=p.price, image=p.image) for p in rows]


def seed_catalog_if_empty(session: Session) -> int:
    if session.exec(select(Product.id).limit(1)).first() is not None:
        return 0
    return seed_catalog(session)


def seed_catalog(session: Session) -> int:
    """Add the demo products that are missing (by name). Returns how many were added."""
    existing = set(session.exec(select(Product.name)))
    added = 0
    for name, description, price, image in DEMO_CATALOG:
        if name not in existing:
            session.add(Product(name=name, description=description, price=price, image=image))
            added += 1
    session.commit()
    return added
