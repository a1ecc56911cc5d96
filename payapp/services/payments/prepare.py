"""Prepare: the server prices the cart and keeps the order in Redis for 10 minutes.

Money rule here: the amount is the Product table's price × quantity, looked up now; nothing
the client sends about money is read.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from payapp.db import run_tx
from payapp.models import Product, User
from payapp.schemas import PreparedView
from payapp.store.prepared import OrderItem, PreparedOrder

from ..errors import Code, ServiceError
from ..inputs import MAX_ID, MAX_QUANTITY, PrepareIn
from ..rows import saved_id
from .base import PaymentJobs


def order_name_for(names: Sequence[str]) -> str:
    """ "텀블러" for one line, "텀블러 외 2건" for three; at most 100 characters."""
    first = names[0]
    suffix = f" 외 {len(names) - 1}건" if len(names) > 1 else ""
    return first[: 100 - len(suffix)] + suffix


PRODUCTS = Product.metadata.tables["product"]
# Core, not the ORM: the catalog read cost ~0.6 ms of CPU as models, a fraction as rows. One
# compiled form (an expanding IN), whatever the cart's size.
_PRICES = sa.select(PRODUCTS.c.id, PRODUCTS.c.name, PRODUCTS.c.price, PRODUCTS.c.active).where(
    PRODUCTS.c.id.in_(sa.bindparam("ids", expanding=True))
)


def unavailable(product_id: int) -> ServiceError:
    return ServiceError.of(Code.PRODUCT_NOT_AVAILABLE, product_id=product_id)


def cart_lines(cart: PrepareIn) -> dict[int, int]:
    """The cart's lines (typed by ``PrepareIn``) → {productId: total quantity}, checked."""
    lines: dict[int, int] = {}
    for item in cart.items:
        if not 1 <= item.productId <= MAX_ID:  # beyond the database's integer: no such product, not a 500
            raise unavailable(item.productId)
        lines[item.productId] = lines.get(item.productId, 0) + item.quantity
    for qty in lines.values():
        if not 1 <= qty <= MAX_QUANTITY:
            raise ServiceError.of(Code.INVALID_QUANTITY)
    return lines


class PrepareJob(PaymentJobs):
    async def prepare(self, user: User, cart: PrepareIn) -> PreparedView:
        """Price the cart from the Product table and keep the order in Redis for 10 minutes."""
        lines = cart_lines(cart)

        def load(conn: Connection) -> list[sa.Row[tuple[int, str, int, bool]]]:
            return list(conn.execute(_PRICES, {"ids": list(lines)}))

        products = {p.id: p for p in await run_tx(load)}
        for product_id in lines:
            product = products.get(product_id)
            if product is None or not product.active:
                raise unavailable(product_id)
        order_items: list[OrderItem] = [
            {"productId": pid, "name": products[pid].name, "price": products[pid].price, "quantity": qty}
            for pid, qty in lines.items()
        ]
        amount = sum(i["price"] * i["quantity"] for i in order_items)
        if amount <= 0:
            raise ServiceError.of(Code.INVALID_REQUEST, "결제 금액이 0원입니다.")
        order = PreparedOrder(
            order_id="ord_" + secrets.token_urlsafe(18),
            order_name=order_name_for([i["name"] for i in order_items]),
            amount=amount,
            user_id=saved_id(user),
            items=order_items,
        )
        await self.store.save(order)
        return PreparedView(orderId=order.order_id, orderName=order.order_name, amount=order.amount)
