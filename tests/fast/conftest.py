"""The payment services in-process, for feedback in seconds (``make test-fast``).

No server process: the services run in the test's own event loop against a SQLite file of a temp
directory (migrated by alembic, as the app does), the embedded Redis of that directory (what
``make run`` uses: nothing to start first), and the sandbox's ASGI app through
``httpx.ASGITransport`` (the same transport the app uses for its mounted sandbox). Each scenario
gets a fresh sandbox and its own order ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from payapp.db import get_engine, migrate
from payapp.settings import get_settings
from payapp.store.embedded import embedded_url
from tests.support.client import CONFIG_VARS


def _forget_settings() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture(scope="package", autouse=True)
def fast_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Settings for this package only (restored after its last test): a migrated SQLite, and
    the embedded Redis, started here (it stops by itself when this process ends)."""
    data_dir = tmp_path_factory.mktemp("fast")
    with pytest.MonkeyPatch.context() as env:
        for name in CONFIG_VARS:
            env.delenv(name, raising=False)
        env.setenv("PAYAPP_DATA_DIR", str(data_dir))
        env.setenv("DATABASE_URL", f"sqlite:///{data_dir / 'payapp.db'}")
        _forget_settings()
        try:
            migrate()
            embedded_url()
            yield data_dir
        finally:
            get_engine().dispose()
            _forget_settings()
