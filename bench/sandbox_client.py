"""The sandbox benchmark's parts that are not measurements: a small keep-alive HTTP/1.1
client, the sandbox server it starts, and what it reads of processes and the machine.

Used by ``bench/sandbox_throughput.py`` (run as a script, so this directory is on ``sys.path``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
REQUEST_TIMEOUT = 10.0


class BadResponse(Exception):
    pass


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request in flight, Content-Length bodies only."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            self._fail(BadResponse("response without Content-Length"))
            return
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop > 0 else len(head)])
        total = end + 4 + length
        if len(self.buffer) < total:
            return
        status, body = int(head[9:12]), bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        waiter, self.waiter = self.waiter, None
        waiter.set_result((status, body))

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        self.waiter = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(ConnectionError("server closed the connection"))

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        async with asyncio.timeout(REQUEST_TIMEOUT):
            return await self.waiter


def http_request(method: str, path: str, host: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def server_rss(proc: psutil.Process) -> int:
    """Resident bytes of the server and of every worker it forked."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def server_cpu_seconds(proc: psutil.Process) -> float:
    """CPU seconds of the server and of every worker it forked."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system
    return total


@contextlib.contextmanager
def sandbox_server(
    workers: int, redis_url: str | None, extra: list[str] | None = None
) -> Iterator[tuple[int, psutil.Process]]:
    """``python -m payapp.sandbox`` on a free loopback port, in its own process group;
    ``extra``: more command-line arguments for it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, "-m", "payapp.sandbox", "--host", "127.0.0.1", "--port", str(port)]
    if redis_url:
        # A prefix of its own: the closing /_sandbox/reset deletes only this run's keys.
        args += [
            "--redis-url",
            redis_url,
            "--redis-prefix",
            f"sbxbench:{uuid.uuid4().hex[:8]}:",
            "--workers",
            str(workers),
        ]
    args += extra or []
    # Its stderr goes to a file, not a pipe: nobody reads a pipe during a long run, and a full
    # one would stall the server on its next log line.
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                errors.seek(0)
                raise SystemExit(f"sandbox exited with {proc.returncode}: {errors.read().decode()[-2000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(base + "/_sandbox/health", timeout=1) as r:
                    if r.status == 200:
                        break
            if time.monotonic() > deadline:
                raise SystemExit("sandbox did not answer /_sandbox/health within 30 s")
            time.sleep(0.1)
        if workers > 1:  # every worker up, so that none is still importing during the run
            while len(psutil.Process(proc.pid).children()) < workers and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
        yield port, psutil.Process(proc.pid)
        with contextlib.suppress(OSError):
            urllib.request.urlopen(urllib.request.Request(base + "/_sandbox/reset", method="POST"), timeout=30)
    finally:
        stop_group(proc, 10)
        errors.close()


def stop_group(proc: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM a server started in its own session, with its workers; SIGKILL after ``grace`` s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def machine(load: bool = False) -> str:
    """CPUs, their model and Python; with ``load``, the load average now (the machine is shared)."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    text = f"{os.cpu_count()} CPUs ({model}), Python {sys.version.split()[0]}"
    return text + ", load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) if load else text
