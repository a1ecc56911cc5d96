"""The real Reflex app for tests: ``reflex run --env prod`` on one free port.

Registered for every test through ``pytest_plugins`` in ``tests/conftest.py``:

- ``shop_url`` (session): the base URL (``http://127.0.0.1:<port>``) of the whole app — the
  built pages, Reflex's ``/_event`` websocket and ``/ping``, the REST API under ``/v1`` and the
  mounted Toss sandbox under ``/toss-sandbox``, all on that one port.
- ``run_shop(env=None)``: the context manager behind it, for a test that needs an app with
  other settings (e.g. ``{"DATABASE_URL": POSTGRES_URL}``); yields the base URL the same way.
  A ``None`` value removes a variable.

The mounted sandbox's control API is open (``SANDBOX_CONTROL=1``): tests drive faults, the
clock and the request log through it. ``run_shop({"SANDBOX_CONTROL": None})`` gets production's
default (closed). The seed runs as in dev (``make run``): the demo customer exists.

The app runs from the working tree but builds into its own temporary web directory
(``REFLEX_WEB_WORKDIR``), so a developer's dev server and its ``.web/`` are left alone, and
keeps its data (SQLite, uploads, Reflex state) in that temporary directory too. Settings the
developer exported for the app (Toss keys, DATABASE_URL, REDIS_URL, ...) are NOT inherited:
the app starts from the embedded defaults plus ``env``. A ``.env`` file in the repo still
applies, as it does to ``make run``.

A cold start (first ``bun install`` on the machine) takes ~10–60 s; afterwards ~8 s, most of it
the production build. So ``reflex run`` runs through :mod:`tests.support.reflex_cached`: a run
whose compiled pages are those of an earlier run of this process (same settings baked in, any
port) reuses that run's build instead of making it again (~1 s instead of ~15 s under load);
the cache goes when the process exits. Stopping sends SIGINT to ``reflex run`` (it stops its
workers), then SIGTERM/SIGKILL to the whole process group if anything is left.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from payapp.settings import Settings
from tests.support.servers import ROOT, free_port, wait_healthy

BUN = ROOT / ".tools" / "bun" / "node_modules" / "bun" / "bin" / "bun.exe"
START_TIMEOUT = 300.0
# Each running app's data directory (SQLite file, generated secrets), by base URL.
DATA_DIRS: dict[str, Path] = {}
STOP_TIMEOUT = 15.0
# Environment variables that configure the app: not inherited from the developer's shell.
APP_SETTINGS = {field.alias for field in Settings.model_fields.values() if field.alias} | {
    "REFLEX_DB_URL",
    "REFLEX_REDIS_URL",
    "REFLEX_FRONTEND_PORT",
    "REFLEX_BACKEND_PORT",
    "REFLEX_API_URL",
    "REFLEX_DEPLOY_URL",
    "REFLEX_WEB_WORKDIR",
    "REFLEX_STATES_WORKDIR",
    "REFLEX_ENV_MODE",
}


@functools.cache
def build_cache() -> Path:
    """This process's production builds by compiled sources (see tests/support/reflex_cached.py)."""
    cache = Path(tempfile.mkdtemp(prefix="payapp-builds-"))
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    return cache


def _npm_registry() -> str | None:
    """The registry npm is configured with, so bun asks the same one (as the Makefile does)."""
    try:
        out = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def _app_env(tmp: Path, url: str, env: dict[str, str | None] | None) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in APP_SETTINGS}
    # What `make` exports; set here too so that a bare `pytest` works the same way.
    base.setdefault("REFLEX_BUN_PATH", str(BUN))
    base.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    base.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    base.setdefault("REFLEX_HTTP_CLIENT_BIND_ADDRESS", "0.0.0.0")
    if "NPM_CONFIG_REGISTRY" not in base and (registry := _npm_registry()):
        base["NPM_CONFIG_REGISTRY"] = registry
    merged = {
        **base,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PAYAPP_DATA_DIR": str(tmp / "data"),
        "REFLEX_WEB_WORKDIR": str(tmp / "web"),
        "REFLEX_STATES_WORKDIR": str(tmp / "states"),
        "REFLEX_UPLOADED_FILES_DIR": str(tmp / "uploads"),
        "SANDBOX_CONTROL": "1",
        "PAYAPP_BUILD_CACHE": str(build_cache()),
        **(env or {}),
    }
    return {k: v for k, v in merged.items() if v is not None}


def _stop(proc: subprocess.Popen) -> None:
    """SIGINT to `reflex run` first (its own clean shutdown), then the group, harder each time."""
    for sig, wait in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            if sig == signal.SIGINT:
                proc.send_signal(sig)
            else:
                os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
        if proc.poll() is not None and not _group_alive(proc.pid):
            return


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def run_shop(env: dict[str, str | None] | None = None, timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Run the whole app with ``reflex run --env prod`` on a free port; yield its base URL."""
    if not BUN.exists():
        pytest.fail(f"{BUN.relative_to(ROOT)} is missing: run `make bun`", pytrace=False)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="payapp-shop-"))
    (tmp / "data").mkdir()
    log = tmp / "reflex.log"
    app_env = _app_env(tmp, url, env)
    # What `make run` does before starting: migrate, then the demo catalog and accounts. It runs
    # while Reflex compiles (which leaves the data directory alone); the server starts after it.
    seed = subprocess.Popen(
        [sys.executable, "-m", "payapp.seed", "--quiet"],
        cwd=ROOT,
        env=app_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    DATA_DIRS[url] = tmp / "data"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.reflex_cached",
                "run",
                "--env",
                "prod",
                "--frontend-port",
                str(port),
                "--backend-host",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env={**app_env, "PAYAPP_START_AFTER": str(tmp / "seeded")},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        seed_output, _ = seed.communicate()
        if seed.returncode:
            raise RuntimeError(f"payapp.seed exited with {seed.returncode}\n{seed_output}")
        (tmp / "seeded").touch()
        # /ping answers once the backend runs; it starts only after the frontend is built.
        wait_healthy(proc, url + "/ping", timeout, "reflex run", lambda: _tail(log))
        yield url
    finally:
        if seed.poll() is None:  # interrupted while seeding
            seed.kill()
            seed.wait()
        _stop(proc)
        DATA_DIRS.pop(url, None)
        if os.environ.get("PAYAPP_KEEP_SHOP_TMP"):
            print(f"app files kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def shop_url() -> Iterator[str]:
    """The base URL of the real app (prod build, one port) shared by the whole session."""
    # Short Toss timeouts so that the "승인 확인 중" path is quick to reach in tests.
    with run_shop({"TOSS_TIMEOUT_SECONDS": "2", "TOSS_CONFIRM_RETRIES": "1"}) as url:
        yield url
