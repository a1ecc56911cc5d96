"""The confirm path's CPU, step by step, in-process: what ``bench/confirm_path.py``'s API spends.

    .venv/bin/python bench/confirm_steps.py [--pairs 300] [--rounds 2]

A probe, not a test: the service's own steps, called one after the other in this process against
a PostgreSQL database of its own (dropped at the end), Redis db 12 (flushed before and after)
and a ``python -m payapp.sandbox`` process, as the API calls them. Each step's CPU is this
process's (``time.process_time``: the event loop and the database threads), so PostgreSQL,
Redis and the sandbox are not in it; no HTTP framework either (see confirm_path.py for that).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable
from functools import partial
from typing import Any

import httpx
from confirm_path import CLIENT_KEY, REDIS_URL
from confirm_stack import ROOT, api_env, database, redis_db, server
from sandbox_throughput import machine


def buyer() -> Any:
    """A migrated database with the demo catalog and one buyer (after the environment is set)."""
    from payapp.db import migrate, session_scope
    from payapp.models import User
    from payapp.services.catalog import seed_catalog_if_empty

    migrate()
    with session_scope() as session:
        seed_catalog_if_empty(session)
        user = User(email="steps@example.com", password_hash="x", role="customer")
        session.add(user)
        session.commit()
    return user


async def measure(user: Any, pairs: int, sandbox: str) -> dict[str, float]:
    """CPU µs per payment of each step."""
    from payapp.db import run_tx
    from payapp.models import EventSource
    from payapp.services.inputs import PrepareIn
    from payapp.services.payments.confirm import ConfirmJob, confirm_key
    from payapp.services.wiring import payment_service

    service, cart = payment_service(), PrepareIn(items=[{"productId": 1, "quantity": 2}])
    cpu: dict[str, float] = defaultdict(float)

    async def step(name: str, work: Awaitable[Any]) -> Any:
        started = time.process_time()
        result = await work
        cpu[name] += time.process_time() - started
        return result

    async with httpx.AsyncClient(base_url=sandbox) as buyer:
        for _ in range(pairs):
            order = await step("prepare (catalog read, Redis SET)", service.prepare(user, cart))
            window = {"clientKey": CLIENT_KEY, "amount": order.amount, "orderId": order.orderId, "orderName": "steps"}
            key = (await buyer.post("/_sandbox/authorize", json={**window, "outcome": "approve"})).json()["paymentKey"]
            order_id = order.orderId
            prepared, lock_cm, lock = await step(
                "Redis: GET order, SET NX claim, lock", _get_claim_lock(service, order_id)
            )
            intent = await step(
                "intent transaction", run_tx(partial(ConfirmJob._insert_intent, prepared=prepared, payment_key=key))
            )
            lock.drop.append(service.store.key(order_id))
            answer = await step(
                "Toss confirm (httpx)", service.toss.confirm(key, order_id, intent.amount, confirm_key(order_id))
            )
            view = await step("apply transaction", service._apply_toss_answer(order_id, answer, EventSource.CONFIRM))
            await step("Redis: release lock + drop order", lock_cm.__aexit__(None, None, None))
            assert view.status == "DONE", view
    return {name: 1e6 * seconds / pairs for name, seconds in cpu.items()}


async def _get_claim_lock(service: Any, order_id: str) -> tuple[Any, Any, Any]:
    prepared = await service.store.get(order_id)
    assert prepared is not None and await service.store.claim(order_id)
    lock_cm = service.order_lock(order_id, 5.0)
    lock = await lock_cm.__aenter__()
    return prepared, lock_cm, lock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=300, help="payments per round (default 300)")
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds after a warm-up (default 2)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        db_url = stack.enter_context(database())
        stack.enter_context(redis_db(REDIS_URL))
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="confirmsteps-"))
        port, _ = stack.enter_context(
            server("payapp.sandbox", ["--log-level", "warning"], dict(os.environ), "/_sandbox/health")
        )
        os.environ.update(api_env(db_url, REDIS_URL, port, data_dir))
        print(f"Confirm path, in-process CPU µs per payment; {machine()}; load {os.getloadavg()[0]:.2f}")

        sys.path.insert(0, str(ROOT))
        user, sandbox = buyer(), f"http://127.0.0.1:{port}"

        async def rounds() -> list[dict[str, float]]:
            await measure(user, 30, sandbox)  # warm-up: connections, compiled statements
            return [await measure(user, args.pairs, sandbox) for _ in range(args.rounds)]

        results = asyncio.run(rounds())
    for name in results[0]:
        print(f"{name:<40}" + "".join(f"{r[name]:>9,.0f}" for r in results))
    print(f"{'total':<40}" + "".join(f"{sum(r.values()):>9,.0f}" for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
