"""Start real server processes for tests: a free port, wait until healthy, stop cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(env: dict | None = None, drop_env: tuple[str, ...] = ()) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in drop_env}
    return {**base, **(env or {})}


@contextlib.contextmanager
def server_process(args: list[str], health_path: str, env: dict | None = None,
                   timeout: float = 30.0, drop_env: tuple[str, ...] = ()) -> Iterator[str]:
    """Run ``python -m <args> --port N`` and yield its base URL once ``health_path`` answers.

    ``env`` is laid over this process's environment, after removing ``drop_env``.
    """
    port = free_port()
    log = open(ROOT / ".data" / f"server-{port}.log", "w") if (ROOT / ".data").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", *args, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=child_env(env, drop_env), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{args} exited with {proc.returncode}")
            try:
                if httpx.get(url + health_path, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{args} did not become healthy in {timeout}s")
            time.sleep(0.1)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
