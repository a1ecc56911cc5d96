"""Start real server processes for tests: a free port, wait until healthy, stop cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(
    proc: subprocess.Popen, url: str, timeout: float, what: str, log_tail: Callable[[], str] = lambda: ""
) -> None:
    """Poll ``url`` until it answers 200; fail early if ``proc`` exits, or after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}\n{log_tail()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s\n{log_tail()}")
        time.sleep(0.1)


def child_env(env: dict | None = None, drop_env: tuple[str, ...] = ()) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in drop_env}
    return {**base, **(env or {})}


def spawn_server(
    args: list[str], health_path: str, env: dict | None = None, timeout: float = 30.0, drop_env: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """Start ``python -m <args> --port N`` in its own session; (process, base URL) once healthy.

    The caller stops it (``stop_server``), or kills it outright to test a crash.
    """
    port = free_port()
    log = open(ROOT / ".data" / f"server-{port}.log", "w") if (ROOT / ".data").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", *args, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=child_env(env, drop_env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url + health_path, timeout, what=" ".join(args))
    except BaseException:
        stop_server(proc)
        raise
    return proc, url


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL if it has not gone after 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def server_process(
    args: list[str], health_path: str, env: dict | None = None, timeout: float = 30.0, drop_env: tuple[str, ...] = ()
) -> Iterator[str]:
    """Run ``python -m <args> --port N`` and yield its base URL once ``health_path`` answers.

    ``env`` is laid over this process's environment, after removing ``drop_env``.
    """
    proc, url = spawn_server(args, health_path, env, timeout, drop_env)
    try:
        yield url
    finally:
        stop_server(proc)
