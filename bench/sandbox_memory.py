"""The sandbox benchmark's memory phase (``sandbox_throughput.py --pairs N``).

N authorize+confirm pairs against a sandbox started with its default retention settings; the
server's resident memory (RSS, its workers' included) is read before the first pair, after
every twentieth of them and after the last, with the pairs/s of each twentieth. With ``--redis-url``
Redis's own ``used_memory`` (the whole Redis server) is read beside it.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid

from sandbox_client import machine, sandbox_server, server_cpu_seconds, server_rss
from sandbox_throughput import Phase, connect, pair_client

MB = 1024 * 1024


def _redis_used(url: str | None) -> int | None:
    if not url:
        return None
    import redis  # installed with the app

    client = redis.Redis.from_url(url)
    try:
        return int(client.info("memory")["used_memory"])
    finally:
        client.close()


async def memory_bench(args: argparse.Namespace) -> dict:
    import asyncio

    total, step = args.pairs, max(1, args.pairs // 20)
    started = 0

    def more() -> bool:
        nonlocal started
        if started >= total:
            return False
        started += 1
        return True

    with sandbox_server(args.workers, args.redis_url) as (port, server):
        rss0, redis0 = server_rss(server), _redis_used(args.redis_url)
        conns = await connect(port, args.concurrency)
        phase = Phase(sample_every=max(1, total // 100_000))
        run = uuid.uuid4().hex[:8]
        host = f"127.0.0.1:{port}"
        jobs = [pair_client(c, host, more, phase, f"{run}-{i}") for i, c in enumerate(conns)]
        checkpoints: list[dict] = []
        cpu0, t0 = server_cpu_seconds(server), time.perf_counter()
        runner = asyncio.gather(*jobs, return_exceptions=True)
        last_done, last_t, peak = 0, t0, rss0
        while not runner.done():
            await asyncio.wait([runner], timeout=0.5)
            if phase.done - last_done >= step or runner.done():
                now, rss = time.perf_counter(), server_rss(server)
                peak = max(peak, rss)
                point = {
                    "pairs": phase.done,
                    "rss_mb": round(rss / MB, 1),
                    "pairs_per_s": round((phase.done - last_done) / (now - last_t), 1),
                }
                checkpoints.append(point)
                print(
                    f"  {point['pairs']:>10,} pairs  RSS {point['rss_mb']:>7.1f} MB"
                    f"  {point['pairs_per_s']:>8,.1f} pairs/s",
                    file=sys.stderr,
                    flush=True,
                )
                last_done, last_t = phase.done, now
        wall = time.perf_counter() - t0
        cpu = server_cpu_seconds(server) - cpu0
        rss1, redis1 = server_rss(server), _redis_used(args.redis_url)
        for c in conns:
            c.transport.close()
    results = runner.result()
    phase.errors += [f"pairs: {type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    return {
        "machine": machine(),
        "mode": (f"{args.workers} worker(s), Redis store" if args.redis_url else "1 process, memory store"),
        "concurrency": args.concurrency,
        "pairs": phase.done,
        "pairs_per_s": round(phase.done / wall, 1) if wall else 0.0,
        "wall_s": round(wall, 1),
        "server_cpu_us_per_pair": round(1e6 * cpu / phase.done) if phase.done else None,
        "pair_p50_ms": round(phase.percentile(0.50), 2),
        "pair_p99_ms": round(phase.percentile(0.99), 2),
        "rss_mb": {"before": round(rss0 / MB, 1), "after": round(rss1 / MB, 1), "peak": round(peak / MB, 1)},
        "redis_used_mb": (
            None
            if redis0 is None or redis1 is None
            else {"before": round(redis0 / MB, 1), "after": round(redis1 / MB, 1)}
        ),
        "checkpoints": checkpoints,
        "errors": len(phase.errors),
        "first_errors": phase.errors[:5],
    }


def memory_report(r: dict) -> str:
    rss = r["rss_mb"]
    lines = [
        f"Toss sandbox memory — {r['mode']}, default retention, {r['concurrency']} concurrent clients",
        f"machine: {r['machine']}",
        f"  authorize+confirm pairs      {r['pairs']:>11,}   in {r['wall_s']:,.1f} s"
        f" = {r['pairs_per_s']:,.1f} pairs/s (every confirm DONE)",
        f"  server RSS before / after    {rss['before']:>9.1f} / {rss['after']:.1f} MB   (peak {rss['peak']:.1f} MB)",
        f"  pair latency p50 / p99       {r['pair_p50_ms']:>9.2f} / {r['pair_p99_ms']:.2f} ms"
        f"   server CPU per pair {r['server_cpu_us_per_pair']} µs",
    ]
    if r["redis_used_mb"]:
        red = r["redis_used_mb"]
        lines.append(f"  Redis used_memory before / after {red['before']:.1f} / {red['after']:.1f} MB (whole server)")
    if r["errors"]:
        lines.append(f"  WRONG ANSWERS: {r['errors']} (first: {r['first_errors']})")
    return "\n".join(lines)
