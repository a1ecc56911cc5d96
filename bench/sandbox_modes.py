"""The sandbox's two stores side by side: memory (one process) and Redis (N workers), one run.

    .venv/bin/python bench/sandbox_modes.py --redis-url redis://127.0.0.1:6379/15 [--workers 2]
        [--seconds 5] [--rounds 3] [--json]

A benchmark, not a test: it asserts no speed. Each round runs ``bench/sandbox_throughput.py``
once per mode, one after the other, so that both modes meet the same machine (on a shared
machine the load moves within minutes: compare the modes of one run, not runs of different
days). The table shows each mode's median over the rounds: authorize+confirm pairs/s, the
pair's latency, and the server's CPU per pair (all its worker processes; steadier than the
rates where other processes take cores). The Redis run uses a key prefix of its own and
deletes its keys afterwards; the Redis server itself is not counted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

THROUGHPUT = Path(__file__).resolve().parent / "sandbox_throughput.py"
FIELDS = (
    ("pairs_per_s", "authorize+confirm pairs/s", "{:,.1f}"),
    ("pair_p50_ms", "pair latency p50 (ms)", "{:.2f}"),
    ("pair_p99_ms", "pair latency p99 (ms)", "{:.2f}"),
    ("server_cpu_us_per_pair", "server CPU per pair (µs)", "{:,.0f}"),
    ("health_req_per_s", "baseline health req/s", "{:,.1f}"),
)


def run(mode_args: list[str], seconds: float, concurrency: int) -> dict:
    args = [sys.executable, str(THROUGHPUT), "--json", "--seconds", str(seconds), "--concurrency", str(concurrency)]
    done = subprocess.run([*args, *mode_args], capture_output=True, text=True, check=False)
    if done.returncode != 0 and not done.stdout.strip():
        raise SystemExit(f"sandbox_throughput.py {' '.join(mode_args)} failed: {done.stderr[-2000:]}")
    result: dict = json.loads(done.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", required=True, help="Redis for the Redis mode, e.g. redis://127.0.0.1:6379/15")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the Redis mode (default 2)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured phase (default 5)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each mode, alternating (default 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    modes = {
        "memory, 1 process": [],
        f"Redis, {args.workers} workers": ["--workers", str(args.workers), "--redis-url", args.redis_url],
    }
    runs: dict[str, list[dict]] = {name: [] for name in modes}
    for _ in range(args.rounds):
        for name, mode_args in modes.items():
            runs[name].append(run(mode_args, args.seconds, args.concurrency))
    medians = {
        name: {key: statistics.median(r[key] for r in results if r[key] is not None) for key, _, _ in FIELDS}
        for name, results in runs.items()
    }
    errors = sum(r["errors"] for results in runs.values() for r in results)
    memory, redis = medians.values()
    ratio = redis["pairs_per_s"] / memory["pairs_per_s"] if memory["pairs_per_s"] else 0.0
    if args.json:
        print(
            json.dumps({"medians": medians, "redis_to_memory_pairs": round(ratio, 3), "errors": errors, "runs": runs})
        )
        return 1 if errors else 0
    first = next(iter(runs.values()))[0]
    print(f"Toss sandbox, memory vs Redis store — {args.rounds} round(s), median of each, {args.seconds:g} s per phase")
    print(f"machine: {first['machine']}; {args.concurrency} concurrent clients")
    print(f"  {'':30}" + "".join(f"{name:>22}" for name in modes))
    for key, label, fmt in FIELDS:
        print(f"  {label:30}" + "".join(f"{fmt.format(medians[name][key]):>22}" for name in modes))
    print(f"  Redis pairs/s ÷ memory pairs/s {ratio:>20.3f}")
    if errors:
        print(f"  WRONG ANSWERS: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
