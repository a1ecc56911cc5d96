"""The confirm path through the REST API, against its own I/O floor measured in the same run.

    .venv/bin/python bench/confirm_path.py [--seconds 5] [--concurrency 1,8,32] [--json]
    .venv/bin/python bench/confirm_path.py --api-arg=--workers --api-arg=1   # flags for python -m payapp.api

A benchmark, not a test: it asserts no speed (exit 1 only for a wrong answer). It creates a
PostgreSQL database of its own (dropped at the end), uses Redis db 12 (flushed before and after),
and starts ``python -m payapp.sandbox`` and ``python -m payapp.api`` as a user starts them. One
buyer signs up and takes a token once, before timing: the confirm path is what is measured.

Two loops, each driven by the same small asyncio HTTP/1.1 client (bench/sandbox_throughput.py)
at each concurrency, one phase after the other:

* app: ``POST /v1/payments/prepare`` (Bearer) → the sandbox's ``POST /_sandbox/authorize`` (the
  buyer) → ``POST /v1/payments/confirm``; a pair counts only if confirm answers 200 DONE;
* floor: the I/O a payment needs, done directly by the client: the sandbox authorize, a Redis
  GET and DEL (redis asyncio), one psycopg async INSERT of a payment row, the sandbox's
  ``/v1/payments/confirm`` round trip, and one UPDATE of the row to DONE.

The ratio app ÷ floor is the number to read: both sides share the machine's load at that moment.
CPU per pair is given for each process (the API with its workers, the sandbox, this client,
the database's backends, and the whole redis-server, which other users of the machine share).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import orjson
import psycopg
import redis
import redis.asyncio as aioredis
from confirm_stack import BackendCpu, api_env, database, redis_db, redis_server_cpu, report, server, summary
from sandbox_client import server_cpu_seconds
from sandbox_throughput import Connection, Phase, http_request, machine

REDIS_URL = "redis://127.0.0.1:6379/12"
# The key pair payapp uses with the sandbox (payapp.sandbox.config), written out as the sandbox bench does.
CLIENT_KEY = "test_ck_payappSandbox0000000000000"
SECRET_KEY = "test_sk_payappSandbox0000000000000"
BASIC = "Basic " + base64.b64encode(f"{SECRET_KEY}:".encode()).decode()
INSERT = (
    "INSERT INTO payment (order_id, payment_key, order_name, amount, balance_amount, status, user_id, items,"
    " created_at, updated_at, check_failures) VALUES (%s, %s, %s, %s, %s, 'IN_PROGRESS', %s, %s, now(), now(), 0)"
    " RETURNING id"
)
UPDATE = (
    "UPDATE payment SET status = 'DONE', method = %s, approved_at = now(), raw = %s, checked_at = now(),"
    " updated_at = now() WHERE id = %s"
)


class Shop:
    """What the loops need: ports, the buyer's token and id, one product."""

    def __init__(self, api: int, sandbox: int, db_url: str, token: str, user_id: int, product: dict):
        self.api, self.sandbox, self.db_url = api, sandbox, db_url
        self.bearer = {"Authorization": f"Bearer {token}"}
        self.user_id, self.product = user_id, product


def call(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        headers=headers or {},
        data=orjson.dumps(body) if body is not None else None,
    )
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as r:
        return orjson.loads(r.read())


def sign_up(api: int, sandbox: int, db_url: str) -> Shop:
    email, password = f"bench-{uuid.uuid4().hex[:10]}@example.com", "passw0rd-bench"
    user = call(api, "POST", "/v1/auth/signup", {"email": email, "password": password})
    token = call(api, "POST", "/v1/auth/token", {"email": email, "password": password})["accessToken"]
    product = call(api, "GET", "/v1/products")["data"][0]
    return Shop(api, sandbox, db_url, token, user["id"], product)


async def connect(port: int) -> Connection:
    _, conn = await asyncio.get_running_loop().create_connection(Connection, "127.0.0.1", port)
    conn.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


async def post(conn: Connection, port: int, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    status, raw = await conn.request(http_request("POST", path, f"127.0.0.1:{port}", orjson.dumps(body), headers))
    return status, orjson.loads(raw)


async def authorize(sbx: Connection, shop: Shop, order_id: str, amount: int) -> str:
    status, auth = await post(
        sbx,
        shop.sandbox,
        "/_sandbox/authorize",
        {"clientKey": CLIENT_KEY, "amount": amount, "orderId": order_id, "orderName": "벤치마크", "outcome": "approve"},
    )
    if status != 200 or auth.get("status") != "IN_PROGRESS":
        raise ValueError(f"authorize: {status} {auth}")
    return auth["paymentKey"]


async def app_pair(shop: Shop, api: Connection, sbx: Connection, n: str) -> None:
    line = {"items": [{"productId": shop.product["id"], "quantity": 1}]}
    status, order = await post(api, shop.api, "/v1/payments/prepare", line, shop.bearer)
    if status != 200:
        raise ValueError(f"prepare: {status} {order}")
    key = await authorize(sbx, shop, order["orderId"], order["amount"])
    status, paid = await post(
        api,
        shop.api,
        "/v1/payments/confirm",
        {"paymentKey": key, "orderId": order["orderId"], "amount": order["amount"]},
        shop.bearer,
    )
    if status != 200 or paid.get("status") != "DONE" or paid.get("orderId") != order["orderId"]:
        raise ValueError(f"confirm: {status} {paid}")


async def floor_pair(shop: Shop, sbx: Connection, rds: aioredis.Redis, pg: psycopg.AsyncConnection, n: str) -> None:
    order_id, amount = f"floor_{n}", shop.product["price"]
    key = await authorize(sbx, shop, order_id, amount)
    await rds.get(f"payapp:prepared:{order_id}")
    await rds.delete(f"payapp:prepared:{order_id}")
    items = orjson.dumps([{**shop.product, "quantity": 1}]).decode()
    row = await (await pg.execute(INSERT, (order_id, key, "벤치마크", amount, amount, shop.user_id, items))).fetchone()
    status, paid = await post(
        sbx,
        shop.sandbox,
        "/v1/payments/confirm",
        {"paymentKey": key, "orderId": order_id, "amount": amount},
        {"Authorization": BASIC, "Idempotency-Key": f"confirm:{order_id}"},
    )
    if status != 200 or paid.get("status") != "DONE":
        raise ValueError(f"confirm: {status} {paid}")
    await pg.execute(UPDATE, (paid.get("method"), orjson.dumps(paid).decode(), row[0]))


async def client_loop(pair, deadline: float, phase: Phase) -> None:
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        start = time.perf_counter()
        try:
            await pair(n)
        except (ValueError, KeyError, OSError, TimeoutError) as err:
            phase.errors.append(f"{type(err).__name__}: {str(err)[:200]}")
            continue
        phase.latencies.append(time.perf_counter() - start)
        phase.done += 1


async def run_phase(kind: str, shop: Shop, c: int, seconds: float, procs: dict, db_name: str) -> Phase:
    tag = uuid.uuid4().hex[:8]
    sbx = [await connect(shop.sandbox) for _ in range(c)]
    if kind == "app":
        api = [await connect(shop.api) for _ in range(c)]
        pairs = [lambda n, i=i: app_pair(shop, api[i], sbx[i], f"{i}_{n}") for i in range(c)]
        closers = []
    else:
        rds = aioredis.Redis.from_url(REDIS_URL, max_connections=c)
        pgs = [await psycopg.AsyncConnection.connect(shop.db_url, autocommit=True) for _ in range(c)]
        pairs = [lambda n, i=i: floor_pair(shop, sbx[i], rds, pgs[i], f"{tag}_{i}_{n}") for i in range(c)]
        closers = [rds.aclose(), *(pg.close() for pg in pgs)]
    phase, backends, shared_redis = Phase(), BackendCpu(db_name), redis.Redis.from_url(REDIS_URL)
    before = {name: server_cpu_seconds(p) for name, p in procs.items()}
    backends.start()
    stats0 = backends.counters()
    redis0, cpu0, t0 = redis_server_cpu(shared_redis), time.process_time(), time.perf_counter()
    results = await asyncio.gather(*(client_loop(p, t0 + seconds, phase) for p in pairs), return_exceptions=True)
    phase.wall = time.perf_counter() - t0
    phase.cpu = {name: server_cpu_seconds(p) - before[name] for name, p in procs.items()}  # type: ignore[attr-defined]
    phase.cpu.update(
        client=time.process_time() - cpu0,
        postgres=backends.seconds(),  # type: ignore[attr-defined]
        redis=redis_server_cpu(shared_redis) - redis0,
    )
    time.sleep(0.6)  # pg_stat_database is sent by backends at most every 0.5 s
    phase.pg = {k: v - stats0[k] for k, v in backends.counters().items()}  # type: ignore[attr-defined]
    backends.close()
    phase.errors += [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    for conn in sbx + (api if kind == "app" else []):
        conn.transport.close()
    for closing in closers:
        await closing
    shared_redis.close()
    return phase


async def bench(args: argparse.Namespace, shop: Shop, procs: dict, db_name: str) -> list[dict]:
    await run_phase("app", shop, max(args.concurrency), min(2.0, args.seconds), procs, db_name)  # warm-up
    await run_phase("floor", shop, max(args.concurrency), 1.0, procs, db_name)  # warm-up
    rows = []
    for c in args.concurrency:
        floor = summary(await run_phase("floor", shop, c, args.seconds, procs, db_name))
        profiler = None
        if args.profile and c == max(args.concurrency):
            profiler = subprocess.Popen(
                [
                    args.py_spy,
                    "record",
                    "--pid",
                    str(procs["api"].pid),
                    "--subprocesses",
                    "--format",
                    "raw",
                    "--rate",
                    "250",
                    "--gil",
                    "--nonblocking",
                    "-o",
                    args.profile,
                    "--duration",
                    str(int(args.seconds)),
                ],
                stdout=subprocess.DEVNULL,
            )
        app = summary(await run_phase("app", shop, c, args.seconds, procs, db_name))
        if profiler:
            profiler.wait(60)
        ratio = app["pairs_per_s"] / floor["pairs_per_s"] if floor["pairs_per_s"] else 0.0
        rows.append({"concurrency": c, "app": app, "floor": floor, "ratio": round(ratio, 3)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured phase (default 5)")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated concurrencies (default 1,8,32)")
    parser.add_argument("--api-arg", action="append", default=[], help="an argument for python -m payapp.api")
    parser.add_argument("--profile", help="py-spy raw stacks of the API during the last app phase, to this file")
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy executable (with --profile)")
    parser.add_argument("--log-dir", help="keep the servers' output in this directory")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    args = parser.parse_args(argv)
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    import uvloop

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with contextlib.ExitStack() as stack:
        db_url = stack.enter_context(database())
        stack.enter_context(redis_db(REDIS_URL))
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="confirmbench-"))
        sbx_port, sbx = stack.enter_context(
            server(
                "payapp.sandbox", ["--log-level", "warning"], dict(os.environ), "/_sandbox/health", log_dir=args.log_dir
            )
        )
        api_port, api = stack.enter_context(
            server(
                "payapp.api",
                args.api_arg,
                api_env(db_url, REDIS_URL, sbx_port, data_dir),
                "/v1/health",
                log_dir=args.log_dir,
            )
        )
        shop = sign_up(api_port, sbx_port, db_url)
        procs = {"api": api, "sandbox": sbx}
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            rows = runner.run(bench(args, shop, procs, db_url.rsplit("/", 1)[1]))
        api_procs = 1 + len(api.children(recursive=True))
    result = {
        "machine": f"{machine()}, nproc {os.cpu_count()}",
        "api_args": args.api_arg,
        "api_processes": api_procs,
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "seconds": args.seconds,
        "rows": rows,
    }
    print(json.dumps(result, ensure_ascii=False) if args.json else report(result))
    return 1 if any(row[k]["errors"] for row in rows for k in ("app", "floor")) else 0


if __name__ == "__main__":
    sys.exit(main())
