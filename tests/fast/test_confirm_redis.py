"""What a confirm leaves in Redis: the prepared order leaves with the order lock's release."""

from __future__ import annotations

from payapp.services.payments.base import ORDER_LOCK
from payapp.store.prepared import CLAIM_PREFIX, PreparedOrderStore
from tests.sandbox.flow import run_async
from tests.support.factories import make_product, make_user
from tests.support.inprocess import in_process_shop


def test_a_confirmed_order_leaves_neither_its_prepared_copy_nor_its_lock():
    buyer, product = make_user(), make_product(price=9_000)

    async def scenario() -> None:
        async with in_process_shop() as shop:
            order = await shop.prepare(buyer, product)
            order_id, redis = order["orderId"], shop.service.redis
            assert await redis.exists(PreparedOrderStore.key(order_id)) == 1
            authorized = await shop.authorize(order)
            result = await shop.confirm(buyer, authorized)
            assert result.payment.status == "DONE"
            assert await redis.exists(PreparedOrderStore.key(order_id), ORDER_LOCK + order_id) == 0
            assert await redis.exists(CLAIM_PREFIX + order_id) == 1  # a second claim still loses
            again = await shop.confirm(buyer, authorized)  # the buyer reloads the success page
            assert (again.pending, again.payment.status) == (False, "DONE")
            assert len(await shop.toss_confirms(order_id)) == 1

    run_async(scenario())
