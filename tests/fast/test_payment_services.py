"""prepare → confirm → refund through the services themselves, in seconds (see conftest.py)."""

from __future__ import annotations

import asyncio

import pytest

from payapp.models import PaymentStatus, Role
from payapp.services.errors import ServiceError
from payapp.services.inputs import CancelIn
from payapp.services.payments import find_payment
from tests.sandbox.flow import run_async
from tests.support.factories import make_product, make_user
from tests.support.inprocess import in_process_shop


def test_prepare_confirm_refund_moves_the_money_once_each_way():
    buyer, admin, product = make_user(), make_user(Role.ADMIN), make_product(price=12_000)

    async def scenario() -> None:
        async with in_process_shop() as shop:
            order = await shop.prepare(buyer, product, quantity=3)
            assert order["amount"] == 36_000  # the server's price × quantity
            result = await shop.confirm(buyer, await shop.authorize(order))
            assert (result.pending, result.payment.status, result.payment.balanceAmount) == (False, "DONE", 36_000)
            assert len(await shop.toss_confirms(order["orderId"])) == 1

            cancel = CancelIn.parse({"cancelReason": "부분 환불", "cancelAmount": 10_000})
            refunded = await shop.service.cancel(admin, order["orderId"], cancel)
            assert (refunded.status, refunded.balanceAmount) == ("PARTIAL_CANCELED", 26_000)
            toss = await shop.toss_payment(order["orderId"])
            assert (toss["status"], toss["balanceAmount"]) == ("PARTIAL_CANCELED", 26_000)
            row = await find_payment(order["orderId"], must_exist=True)
            assert (row.status, row.balance_amount, row.amount) == (PaymentStatus.PARTIAL_CANCELED, 26_000, 36_000)

    run_async(scenario())


def test_confirm_with_another_amount_is_refused_before_any_toss_call():
    buyer, product = make_user(), make_product(price=5_000)

    async def scenario() -> None:
        async with in_process_shop() as shop:
            order = await shop.prepare(buyer, product)
            authorized = await shop.authorize(order)
            with pytest.raises(ServiceError) as refused:
                await shop.confirm(buyer, authorized, amount=order["amount"] - 1)
            assert (refused.value.code, refused.value.status) == ("PAYMENT_AMOUNT_MISMATCH", 400)
            assert await shop.toss_confirms(order["orderId"]) == []
            assert await find_payment(order["orderId"]) is None
            # The right amount still goes through afterwards: the refusal claimed nothing.
            result = await shop.confirm(buyer, authorized)
            assert result.payment.status == "DONE"

    run_async(scenario())


def test_confirm_twice_charges_once():
    buyer, product = make_user(), make_product(price=7_000)

    async def scenario() -> None:
        async with in_process_shop() as shop:
            order = await shop.prepare(buyer, product, quantity=2)
            authorized = await shop.authorize(order)
            first, twin = await asyncio.gather(shop.confirm(buyer, authorized), shop.confirm(buyer, authorized))
            again = await shop.confirm(buyer, authorized)  # the success page reloaded
            for result in (first, twin, again):
                assert result.payment.orderId == order["orderId"]
                assert result.payment.status == "DONE" or result.pending
            assert again.payment.status == "DONE" and again.payment.amount == 14_000
            assert len(await shop.toss_confirms(order["orderId"])) == 1

    run_async(scenario())


def test_a_stranger_cannot_confirm_someone_elses_order():
    buyer, stranger, product = make_user(), make_user(), make_product()

    async def scenario() -> None:
        async with in_process_shop() as shop:
            order = await shop.prepare(buyer, product)
            authorized = await shop.authorize(order)
            with pytest.raises(ServiceError) as refused:
                await shop.confirm(stranger, authorized)
            assert refused.value.status in (403, 404), refused.value.body()
            assert await shop.toss_confirms(order["orderId"]) == []

    run_async(scenario())


def test_an_inactive_product_cannot_be_prepared():
    buyer, gone = make_user(), make_product(active=False)

    async def scenario() -> None:
        async with in_process_shop() as shop:
            with pytest.raises(ServiceError) as refused:
                await shop.prepare(buyer, gone)
            assert refused.value.code == "PRODUCT_NOT_AVAILABLE"

    run_async(scenario())
