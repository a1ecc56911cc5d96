"""``python -m payapp.api --host 127.0.0.1 --port N``: the REST API alone.

Pending migrations are applied first, as ``make run`` does, and an empty product table gets
the demo catalog (a shop with nothing to sell cannot take a payment). No users are created:
``python -m payapp.users create`` is the operators' tool.
"""

from __future__ import annotations

import argparse
import logging

import uvicorn

from payapp.db import migrate, session_scope, startup_lock
from payapp.services.catalog import seed_catalog_if_empty

from .app import create_api


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m payapp.api")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with startup_lock():  # several processes started at once: one migrates, one seeds
        migrate()
        with session_scope() as session:
            seed_catalog_if_empty(session)
    # proxy_headers off: uvicorn would believe X-Forwarded-For from any local peer; payapp decides
    # whom to believe itself (TRUSTED_PROXIES, payapp/services/ratelimit.py).
    uvicorn.run(create_api(), host=args.host, port=args.port, log_level=args.log_level, access_log=False,
                proxy_headers=False)


if __name__ == "__main__":
    main()
