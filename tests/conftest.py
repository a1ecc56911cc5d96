"""Fixtures shared by every test: real services, real server processes."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from payapp.sandbox.config import DOCS_CLIENT_KEY, DOCS_SECRET_KEY, SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from tests.support.servers import ROOT, server_process

pytest_plugins = ["tests.support.app", "tests.support.browser"]

REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

(ROOT / ".data").mkdir(exist_ok=True)


def basic(secret_key: str) -> dict[str, str]:
    """The Authorization header exactly as Toss documents it: base64(secretKey + ':')."""
    return {"Authorization": "Basic " + base64.b64encode(f"{secret_key}:".encode()).decode()}


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    """One sandbox server process (memory state) for the whole session."""
    with server_process(["payapp.sandbox"], "/_sandbox/health") as url:
        yield url


@pytest.fixture
def sandbox(sandbox_url: str) -> Iterator[httpx.Client]:
    """An HTTP client on a freshly reset sandbox."""
    with httpx.Client(base_url=sandbox_url, timeout=10) as client:
        client.post("/_sandbox/reset").raise_for_status()
        yield client


@pytest.fixture
def docs_auth() -> dict[str, str]:
    return basic(DOCS_SECRET_KEY)


@pytest.fixture
def sandbox_auth() -> dict[str, str]:
    return basic(SANDBOX_SECRET_KEY)


__all__ = [
    "basic",
    "DOCS_CLIENT_KEY",
    "DOCS_SECRET_KEY",
    "SANDBOX_CLIENT_KEY",
    "SANDBOX_SECRET_KEY",
    "REDIS_URL",
    "POSTGRES_URL",
]
