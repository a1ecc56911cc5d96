"""Browser fixtures: Debian's chromium driven by Playwright (sync API).

Registered for every test through ``pytest_plugins`` in ``tests/conftest.py``:

- ``browser`` (session): one chromium for the whole run, launched the only way that
  works here (``/usr/bin/chromium``; ``playwright install`` can download nothing).
- ``page``: a fresh context (own cookies and storage) at 1280×800 with one page.
- ``phone_page``: the same as a 390×844 touch phone.
- ``new_page(phone=False, **context_options)``: more pages, each in its own context,
  e.g. two buyers at once; closed after the test.
- ``console_errors``: console errors and uncaught exceptions of every page the
  test opened with these fixtures, as ``"url: text"`` strings. Tests assert on it
  (``assert console_errors == []``) where a clean console is part of the behaviour.

When a test that used a page fails, a screenshot of each of its pages lands in
``.data/screenshots/`` (git-ignored) for a look with an image viewer.
Mark browser tests ``@pytest.mark.browser``.

Browser tests are plain (sync) functions, and may sit next to async tests: see
:func:`playwright_turn` for how one Playwright lives through the session without
breaking pytest-asyncio. A fixture that uses ``page`` (directly or through another
fixture) gets the turn in its setup and teardown automatically.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
# Fail fast: a missing element should not hold a test for Playwright's default 30 s.
TIMEOUT_MS = 10_000
SCREENSHOTS = ROOT / ".data" / "screenshots"

NewPage = Callable[..., Page]

# Playwright's sync API runs its asyncio loop in a greenlet of the main thread and, between
# calls, leaves that loop marked as "running" on the thread. For a session-long Playwright
# that would break every later async test (pytest-asyncio: "Runner.run() cannot be called
# from a running event loop"). So the mark is set only while browser code runs: the call of
# a test that uses ``browser``, and setup/teardown of fixtures that depend on it.
_playwright_loop: asyncio.AbstractEventLoop | None = None
_BROWSER_FIXTURES = {"browser"}


def _mark_running(on: bool) -> None:
    asyncio.events._set_running_loop(_playwright_loop if on else None)


@contextlib.contextmanager
def playwright_turn() -> Iterator[None]:
    """Run browser code outside a test's call or a page fixture (rarely needed by hand)."""
    _mark_running(True)
    try:
        yield
    finally:
        _mark_running(False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium per test session."""
    global _playwright_loop
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium`", pytrace=False)
    pw = sync_playwright().start()
    _playwright_loop = asyncio.events._get_running_loop()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        pw.stop()
        _playwright_loop = None


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and page exceptions of the pages this test opened."""
    return []


@pytest.fixture
def new_page(browser: Browser, console_errors: list[str], request: pytest.FixtureRequest) -> Iterator[NewPage]:
    """Factory: ``new_page()`` desktop, ``new_page(phone=True)``, or any context options."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make(phone: bool = False, **options: Any) -> Page:
        context = browser.new_context(
            locale="ko-KR", timezone_id="Asia/Seoul", **{**(PHONE if phone else DESKTOP), **options}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch(page, console_errors)
        context.on("page", lambda popup: watch(popup, console_errors))
        pages.append(page)
        return page

    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        _screenshot(pages, request.node.name)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    """A fresh 1280×800 page in its own context."""
    return new_page()


@pytest.fixture
def phone_page(new_page: NewPage) -> Page:
    """A fresh 390 px wide touch phone page in its own context."""
    return new_page(phone=True)


def watch(page: Page, errors: list[str]) -> None:
    """Append the page's console errors and uncaught exceptions to ``errors``."""

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(f"{page.url}: {msg.text}")

    def on_pageerror(exc: Error) -> None:
        errors.append(f"{page.url}: uncaught {exc.name}: {exc.message}")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)


def _screenshot(pages: list[Page], test_name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", test_name)[:120]
    for i, page in enumerate(pages):
        if page.is_closed():
            continue
        try:
            page.screenshot(path=SCREENSHOTS / f"{stem}-{i}.png", full_page=True)
        except Error:
            pass  # a crashed or navigating page: the test's own failure says more


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest):
    """Give fixtures that (transitively) use the browser the turn in their setup and teardown."""
    if fixturedef.argname not in _BROWSER_FIXTURES and _BROWSER_FIXTURES.isdisjoint(fixturedef.argnames):
        return (yield)
    _BROWSER_FIXTURES.add(fixturedef.argname)
    # Finalizers run last-in first-out: this one ends the turn after the fixture's teardown...
    fixturedef.addfinalizer(lambda: _mark_running(False))
    with playwright_turn():
        result = yield
    # ...and this one, added after the fixture registered its teardown, starts the turn before it.
    fixturedef.addfinalizer(lambda: _mark_running(True))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """A test that uses the browser has the turn while it runs."""
    if "browser" not in getattr(item, "fixturenames", ()):
        return (yield)
    with playwright_turn():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep the call phase's report on the item so fixtures can see whether the test failed."""
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
