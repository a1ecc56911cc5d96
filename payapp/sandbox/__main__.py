"""``python -m payapp.sandbox --host 127.0.0.1 --port 8787 [--redis-url URL [--redis-prefix P]] [--workers N]``.

For developers and tests: the control API is open and webhooks may go anywhere unless
``--no-control`` / ``--webhook-hosts`` say otherwise.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import socket

from .config import DEFAULT_KEY_PAIRS, KeyPair, SandboxConfig, parse_retention, parse_webhook_hosts
from .server import serve

log = logging.getLogger("payapp.sandbox")


def parse_pair(text: str) -> KeyPair:
    try:
        client, secret, mid = text.split(":")
    except ValueError:
        raise argparse.ArgumentTypeError("--key-pair takes CLIENT_KEY:SECRET_KEY:MID") from None
    return KeyPair(client, secret, mid)


def _hosts(text: str) -> tuple[str, ...] | None:
    try:
        return parse_webhook_hosts(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m payapp.sandbox", description="Toss Payments sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--redis-url", default=None, help="keep state in Redis (needed for --workers > 1)")
    parser.add_argument(
        "--redis-prefix",
        default="tosssbx:",
        help="prefix of every Redis key the sandbox writes (reset deletes only these)",
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--key-pair",
        action="append",
        type=parse_pair,
        default=[],
        help="extra CLIENT_KEY:SECRET_KEY:MID (repeatable); the default pairs stay",
    )
    parser.add_argument(
        "--idempotency-hold",
        type=int,
        default=SandboxConfig.idempotency_processing_ttl,
        metavar="SECONDS",
        help="real seconds a dead worker's running request keeps its "
        "Idempotency-Key (a live one renews it); default %(default)s",
    )
    parser.add_argument(
        "--no-control",
        dest="control",
        action="store_false",
        help="answer 404 on the control API (/_sandbox/ reset, payments, requests, clock, "
        "faults, webhooks, idempotency); the window, SDK, authorize and health stay",
    )
    parser.add_argument(
        "--webhook-hosts",
        type=_hosts,
        default=None,
        metavar="HOSTS",
        help="comma-separated host names, IP addresses or networks webhooks may go to, "
        "besides loopback ('' = loopback only); default: anywhere",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the sandbox's absolute base URL as browsers reach it, written into the SDK script "
        "it serves; default: taken from each request",
    )
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    if args.idempotency_hold < 1:
        parser.error("--idempotency-hold must be at least 1 second")
    if args.workers > 1 and not args.redis_url:
        parser.error("--workers > 1 needs --redis-url: workers must share one state")
    try:
        retention = parse_retention(os.environ)  # SANDBOX_RETENTION_* (see config.Retention)
    except ValueError as err:
        parser.error(str(err))
    config = SandboxConfig(
        key_pairs=(*DEFAULT_KEY_PAIRS, *args.key_pair),
        redis_url=args.redis_url,
        redis_prefix=args.redis_prefix,
        idempotency_processing_ttl=args.idempotency_hold,
        control=args.control,
        webhook_hosts=args.webhook_hosts,
        public_url=args.public_url,
        retention=retention,
    )
    # One listening socket per worker on the same port (SO_REUSEPORT): the kernel spreads new
    # connections over the workers. With one shared socket, whichever worker woke first took
    # nearly every keep-alive connection (36 of 40 in a bench), and a second worker idled.
    socks = [_listen(args.host, args.port, args.workers > 1)]
    port = socks[0].getsockname()[1]
    socks += [_listen(args.host, port, True) for _ in range(args.workers - 1)]
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log.info(
        "Toss sandbox on http://%s:%d (%d worker%s)",
        args.host,
        port,
        args.workers,
        "s" if args.workers > 1 else "",
    )
    for pair in config.key_pairs:
        log.info("  key pair %s: client %s / secret %s", pair.mid, pair.client_key, pair.secret_key)
    if not config.control:
        log.info("  control API closed (--no-control)")
    if config.webhook_hosts is not None:
        log.info("  webhooks only to loopback%s", "".join(f", {h}" for h in config.webhook_hosts))
    if args.workers == 1:
        serve(config, socks[0], args.log_level)
        return
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=serve, args=(config, each, args.log_level)) for each in socks]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        for p in procs:
            p.terminate()


def _listen(host: str, port: int, shared: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


if __name__ == "__main__":
    main()
