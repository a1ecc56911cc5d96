"""``Store.locked``: the locks, with the payment, the clock and the order's keys read as they are
taken; what the section saves is stored by the time it is left, however it is left. The Redis
store sends a section's last save with the release, so these pin that it still behaves as
plain calls would, in both stores."""

from __future__ import annotations

import asyncio

import pytest

from tests.sandbox.flow import run_async


def record(status: str, created_at: float = 1_000.0) -> dict:
    return {
        "payment": {"paymentKey": "pk", "mId": "m", "orderId": "order-1", "status": status},
        "internal": {"createdAt": created_at, "clientKey": "ck"},
    }


def test_a_section_reads_what_it_wrote_and_stores_it_when_left(store):
    async def scenario() -> None:
        s = store()
        try:
            await s.advance_clock(60)
            await s.put_payment(record("IN_PROGRESS"))
            async with s.locked("pk", "order:m:order-1", order=("m", "order-1")) as held:
                assert held.record == record("IN_PROGRESS")
                assert held.clock_offset == 60 and held.order_keys == ["pk"]
                await s.put_payment(record("EXPIRED"))
                assert await s.get_payment("pk") == record("EXPIRED")  # its own save, read back
                await s.put_payment(record("DONE"), (1_000.0, {"transactionKey": "tx-1", "paymentKey": "pk"}))
            assert await s.get_payment("pk") == record("DONE")
            assert await s.transactions("ck", 0, 2_000, None, 10) == [{"transactionKey": "tx-1", "paymentKey": "pk"}]
        finally:
            await s.close()

    run_async(scenario())


def test_a_section_left_by_an_error_keeps_its_save_and_frees_its_locks(store):
    async def scenario() -> None:
        s = store()
        try:
            await s.put_payment(record("IN_PROGRESS"))
            with pytest.raises(RuntimeError):
                async with s.locked("pk", "order:m:order-1") as held:
                    assert held.order_keys == []  # not asked for
                    await s.put_payment(record("ABORTED"))
                    raise RuntimeError("refused")
            assert await s.get_payment("pk") == record("ABORTED")
            # Free again: a lock left taken would keep this waiting for a minute.
            async with asyncio.timeout(10), s.locked("pk", "order:m:order-1") as held:
                assert held.record == record("ABORTED")
            async with s.locked("nothing") as held:
                assert held.record is None and held.clock_offset == 0
        finally:
            await s.close()

    run_async(scenario())
