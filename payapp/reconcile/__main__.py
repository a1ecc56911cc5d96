"""``python -m payapp.reconcile [--since 24h] [--dry-run]``: one reconciliation pass by hand.

Sweeps the unsettled payments that are due, then runs 거래 대사 over ``--since`` (default: the
configured window, 48h), and prints what it changed. ``--dry-run`` changes nothing and prints
what it would do. Takes the same lease as the automatic reconciler, so the two never overlap.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys

from payapp.db import migrate
from payapp.services.payments import TransactionsReport
from payapp.services.wiring import payment_service
from payapp.settings import get_settings
from payapp.store.locks import held
from payapp.store.redis import get_redis

from .runner import LEASE_TTL, lease_name, sweep_policy, transactions_once

UNITS = {"m": 1 / 60, "h": 1, "d": 24}


def hours(text: str) -> float:
    """ "24h" → 24.0, "90m" → 1.5, "2d" → 48.0."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([mhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError("a duration like 90m, 24h or 2d")
    return float(match[1]) * UNITS[match[2]]


async def run(since: float, dry_run: bool) -> int:
    service = payment_service()
    if dry_run:
        show(await transactions_once(service, since, dry_run=True), since, dry_run=True)
        return 0
    lease = get_redis().lock(lease_name(get_settings()), timeout=LEASE_TTL, blocking_timeout=LEASE_TTL * 2)
    if not await lease.acquire():
        print("another reconciliation holds the lease; try again in a minute", file=sys.stderr)
        return 1
    async with held(lease) as holding:
        sweep = await service.sweep(sweep_policy(get_settings()), lambda: not holding.lost)
        print(f"sweep: checked {sweep.checked} unsettled payment(s)")
        for line in sweep.settled:
            print("  settled:", line)
        for order_id in sweep.unknown:
            print("  still unknown:", order_id)
        show(await transactions_once(service, since, keep_going=lambda: not holding.lost), since)
    return 0


def show(report: TransactionsReport, since: float, dry_run: bool = False) -> None:
    """What a 거래 대사 pass applied (or, dry, would apply) and could not explain."""
    print(f"거래 대사{' (dry run)' if dry_run else ''}: {report.transactions} transactions since {since:g}h")
    for line in report.applied:
        print("  would apply:" if dry_run else "  applied:", line)
    for line in report.drift:
        print("  drift:", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m payapp.reconcile", description=__doc__.splitlines()[0])
    parser.add_argument("--since", type=hours, default=None, help="window of 거래 대사, e.g. 24h (default 48h)")
    parser.add_argument("--dry-run", action="store_true", help="change nothing; print what would change")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    migrate()
    since = args.since if args.since is not None else get_settings().transactions_window_hours
    return asyncio.run(run(since, args.dry_run))


if __name__ == "__main__":
    sys.exit(main())
