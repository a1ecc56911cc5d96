"""The embedded Redis (no REDIS_URL): its socket lives in the data dir, and it stops with its users.

Each "user" here is a real process that calls ``embedded_url()`` and then just waits, killed the
way a server gets killed: SIGTERM with Python's default handler (no atexit, as when uvicorn
re-raises the signal) or SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
import redis

from payapp.store.embedded import _socket_dir, socket_path
from tests.core.conftest import CONFIG_VARS
from tests.support.servers import ROOT, child_env

USER = (
    "import time, redis; from payapp.store.embedded import embedded_url; url = embedded_url(); "
    "print(url, redis.Redis.from_url(url).info('server')['process_id'], flush=True); time.sleep(300)"
)


@pytest.fixture
def users() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:  # whatever a test left running
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(10)


def spawn_user(users: list[subprocess.Popen], data_dir: Path, script: str = USER) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env({"PAYAPP_DATA_DIR": str(data_dir)}, CONFIG_VARS),
    )
    users.append(proc)
    return proc


def start_user(users: list[subprocess.Popen], data_dir: Path) -> tuple[str, int]:
    """A process using the embedded Redis of ``data_dir``: (its URL, the server's pid)."""
    return user_started(spawn_user(users, data_dir), data_dir)


def user_started(proc: subprocess.Popen, data_dir: Path) -> tuple[str, int]:
    line = proc.stdout.readline().split()
    assert len(line) == 2, f"the user process failed (exit {proc.poll()}); see {data_dir / 'redis.log'}"
    return line[0], int(line[1])


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def becomes(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stops(pid: int, timeout: float = 10.0) -> bool:
    return becomes(lambda: not running(pid), timeout)


def end(proc: subprocess.Popen, sig: signal.Signals) -> None:
    os.kill(proc.pid, sig)
    assert proc.wait(10) == -sig  # died of the signal: no atexit hook ran


def test_the_socket_is_in_the_data_dir_and_the_server_stops_on_sigterm(tmp_path, users):
    url, server = start_user(users, tmp_path)
    sock = tmp_path.resolve() / "redis.sock"
    assert url == f"unix://{sock}"
    assert sock.is_socket()
    assert redis.Redis(unix_socket_path=str(sock)).ping()
    end(users[0], signal.SIGTERM)
    assert stops(server), "redis-server outlived the process that used it"
    assert not sock.exists()


def test_a_second_process_joins_and_the_last_one_out_stops_it(tmp_path, users):
    url_a, server_a = start_user(users, tmp_path)
    url_b, server_b = start_user(users, tmp_path)
    assert (url_a, server_a) == (url_b, server_b)  # one server per data dir
    end(users[0], signal.SIGKILL)  # the process that started it goes first, the hard way
    time.sleep(1.5)  # the supervisor looks twice a second
    assert running(server_a)
    assert redis.Redis.from_url(url_b).ping()
    end(users[1], signal.SIGTERM)
    assert stops(server_a)


def test_a_data_dir_too_long_for_a_unix_socket_gets_a_short_private_one(tmp_path, users):
    data_dir = tmp_path / ("d" * 110)
    url, server = start_user(users, data_dir)
    sock = Path(url.removeprefix("unix://"))
    assert len(os.fsencode(sock)) <= 100
    assert sock.is_socket() and not (data_dir / "redis.sock").exists()
    assert sock.parent.stat().st_mode & 0o077 == 0  # private to this user
    assert redis.Redis(unix_socket_path=str(sock)).ping()
    end(users[0], signal.SIGTERM)
    assert stops(server)
    assert becomes(lambda: not sock.parent.exists(), 5)  # the fallback directory goes with its socket


def test_a_joiner_starts_a_server_even_if_the_short_directory_went_while_it_waited_for_the_lock(tmp_path, users):
    # What a supervisor stopping under the lock does to the fallback directory, done by hand
    # at the worst moment: while the next process waits for the lock.
    data_dir = tmp_path / ("d" * 110)
    data_dir.mkdir()
    sock = socket_path(data_dir)
    with open(data_dir / "redis.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = spawn_user(users, data_dir)
        lock_file = str(data_dir.resolve() / "redis.lock")
        assert becomes(lambda: any(f.path == lock_file for f in psutil.Process(proc.pid).open_files()))
        time.sleep(0.3)  # from open() to flock()
        with contextlib.suppress(FileNotFoundError):
            sock.parent.rmdir()
        fcntl.flock(lock, fcntl.LOCK_UN)
    url, server = user_started(proc, data_dir)
    assert url == f"unix://{sock}"
    end(proc, signal.SIGTERM)
    assert stops(server)


def test_a_symlink_in_place_of_the_short_directory_is_refused(tmp_path):
    data_dir = tmp_path / ("d" * 110)
    sock = socket_path(data_dir)
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    sock.parent.symlink_to(target)  # private and ours: only not a directory of its own
    try:
        with pytest.raises(RuntimeError, match="not a private directory"):
            _socket_dir(sock, data_dir)
    finally:
        sock.parent.unlink()


@pytest.mark.parametrize(
    "signals",
    [
        {"supervisor": signal.SIGTERM},
        {"supervisor": signal.SIGTERM, "server": signal.SIGTERM, "user": signal.SIGTERM},  # systemd, docker stop
        {"supervisor": signal.SIGKILL},  # the server gets PR_SET_PDEATHSIG's SIGTERM
    ],
    ids=["supervisor-sigterm", "everyone-sigterm", "supervisor-sigkill"],
)
def test_what_was_written_survives_a_stop_by_signal(tmp_path, users, signals):
    url, server = start_user(users, tmp_path)
    redis.Redis.from_url(url).set("kept", "yes")
    pids = {"supervisor": psutil.Process(server).ppid(), "server": server, "user": users[0].pid}
    for who, sig in signals.items():
        os.kill(pids[who], sig)
    assert stops(server)
    users[0].kill()
    url, server = start_user(users, tmp_path)
    assert redis.Redis.from_url(url).get("kept") == b"yes"
    end(users[1], signal.SIGTERM)
    assert stops(server)


def test_a_slow_server_is_joined_not_replaced(tmp_path, users):
    url, server = start_user(users, tmp_path)
    redis.Redis.from_url(url).client_pause(7000, all=True)  # longer than any client's 5 s timeout
    started = time.monotonic()
    assert start_user(users, tmp_path) == (url, server)  # one server on the data dir's RDB file, not two
    assert time.monotonic() - started > 5
    end(users[0], signal.SIGTERM)
    end(users[1], signal.SIGTERM)
    assert stops(server)


ASYNC_USER = """
import asyncio, time
from payapp.store.redis import get_redis

async def main():
    gaps = []

    async def tick():
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            gaps.append(time.monotonic() - last)
            last = time.monotonic()

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.05)
    started = time.monotonic()
    server = (await get_redis().info("server"))["process_id"]
    ticker.cancel()
    print(max(gaps), time.monotonic() - started, server, flush=True)

asyncio.run(main())
"""


def test_starting_the_server_from_async_code_does_not_block_the_event_loop(tmp_path, users):
    proc = spawn_user(users, tmp_path, ASYNC_USER)
    line = proc.stdout.readline().split()
    assert len(line) == 3, f"the user process failed (exit {proc.poll()}); see {tmp_path / 'redis.log'}"
    longest_gap, start_time, server = float(line[0]), float(line[1]), int(line[2])
    assert start_time > 0.3  # a server was started meanwhile: there was something to block on
    assert longest_gap < 0.2
    assert proc.wait(10) == 0
    assert stops(server)
