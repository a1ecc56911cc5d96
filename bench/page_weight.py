"""The product page's JavaScript beside a blank Reflex app, and click "결제하기" → the Toss window.

    .venv/bin/python bench/page_weight.py [--clicks 20] [--json]

A benchmark, not a test: it prints and asserts nothing. In one run it

1. creates a blank Reflex app of the installed version in a temporary directory
   (``reflex init --template blank``, offline: the template ships with Reflex), builds and
   serves it with ``reflex run --env prod``, and weighs its ``/``;
2. starts the shop as the browser tests do (``tests/support/app.py``: ``reflex run --env prod``
   on a free port, its own web directory and SQLite, the sandbox mounted) and weighs ``/``
   for a visitor who is not signed in;
3. signs the demo buyer in and clicks "결제하기" ``--clicks`` times, each on a freshly loaded
   page, timing click → the sandbox window's iframe on screen and its page loaded; the window
   is then cancelled (결제 취소), as a buyer would.

"JS bytes" are the decoded bodies of every JavaScript response the page loaded until the
network was idle (the bundle a browser parses); "transfer" is what came over the wire
(Playwright's ``responseBodySize``: compressed when the server compressed). Goals (issue,
step 8): shop JS ≤ 1.3 × the blank app's; click → window median < 300 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from sandbox_client import machine  # noqa: E402

from tests.support.app import _app_env, _stop, _tail, run_shop  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP  # noqa: E402
from tests.support.servers import free_port, wait_healthy  # noqa: E402

DEMO = ("demo@payapp.local", "demo1234!")
WINDOW = "iframe[data-toss-sandbox=window]"
# The Toss script (here the sandbox's stand-in) is Toss's weight, not the shop's: counted apart.
TOSS_SCRIPT = "/_sandbox/sdk.js"
T = TypeVar("T")
# What click_to_window times, in ms since the click: the SDK script requested (the server's
# answer to 결제하기 arrived; absent once the script is loaded before the click), the window's
# page requested (requestPayment ran) and received, its iframe on screen, its page loaded.
PHASES = {
    "sdk": "SDK script requested",
    "window_start": "window page requested",
    "window_end": "window page received",
    "shown": "iframe on screen",
    "loaded": "window page loaded",
}
BLANK_CONFIG = 'import reflex as rx\n\nconfig = rx.Config(app_name="blank")\n'
BLANK_PAGE = 'import reflex as rx\n\napp = rx.App()\napp.add_page(lambda: rx.text("blank"), route="/")\n'

# Click 결제하기 in the page, then poll every frame until the window's iframe has a box on
# screen ("shown") and its same-origin page has loaded ("loaded"); ms since the click.
CLICK_TO_WINDOW = """async (selector) => {
  const button = [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === "결제하기");
  const t0 = performance.now();
  button.click();
  return await new Promise((resolve, reject) => {
    let shown = null;
    const give_up = setTimeout(() => reject(new Error("no window after 20 s")), 20000);
    const poll = () => {
      const frame = document.querySelector(selector);
      if (frame && frame.getBoundingClientRect().height > 0) {
        shown = shown ?? performance.now() - t0;
        const doc = frame.contentDocument;
        if (doc && doc.readyState === "complete" && doc.location.href !== "about:blank" && doc.querySelector("button")) {
          clearTimeout(give_up);
          const loaded = performance.now() - t0;
          // Where the time went, from the resources the click fetched (ms since the click).
          const after = performance.getEntriesByType("resource").filter((e) => e.startTime >= t0);
          const at = (part, key) => {
            const entry = after.find((e) => e.name.includes(part));
            return entry ? entry[key] - t0 : null;
          };
          resolve({ shown, loaded, sdk: at("/sdk", "startTime"), window_start: at("/_sandbox/window", "startTime"),
                    window_end: at("/_sandbox/window", "responseEnd") });
          return;
        }
      }
      requestAnimationFrame(poll);
    };
    poll();
  });
}"""


def spread(values: list[float]) -> dict[str, float]:
    """Median and p90 (nearest rank) in ms, and the extremes."""
    ordered = sorted(values)
    p90 = ordered[max(0, min(len(ordered) - 1, round(0.9 * len(ordered)) - 1))]
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 1),
        "p90": round(p90, 1),
        "min": round(ordered[0], 1),
        "max": round(ordered[-1], 1),
    }


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def reflex_version() -> str:
    from importlib.metadata import version

    return version("reflex")


def _reflex(*args: str) -> list[str]:
    return [sys.executable, "-m", "reflex", *args]


def make_blank_app(where: Path, env: dict[str, str]) -> str:
    """``reflex init --template blank`` (offline: the template ships in the wheel); by hand if it fails."""
    init = subprocess.run(
        _reflex("init", "--template", "blank", "--name", "blank", "--no-agents"),
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    if init.returncode == 0 and (where / "blank" / "blank.py").exists():
        return "reflex init --template blank"
    (where / "blank").mkdir(exist_ok=True)
    (where / "blank" / "__init__.py").write_text("")
    (where / "rxconfig.py").write_text(BLANK_CONFIG)
    (where / "blank" / "blank.py").write_text(BLANK_PAGE)
    return "by hand (rxconfig.py + one rx.text page): reflex init failed"


@contextlib.contextmanager
def blank_app(timeout: float = 300.0) -> Iterator[tuple[str, str]]:
    """A blank Reflex app of the installed version, prod build on a free port: (url, how it was made)."""
    tmp = Path(tempfile.mkdtemp(prefix="payapp-blank-"))
    app_dir = tmp / "app"
    app_dir.mkdir()
    env = _app_env(tmp, "", {"SANDBOX_CONTROL": None})
    how = make_blank_app(app_dir, env)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "reflex.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            _reflex("run", "--env", "prod", "--frontend-port", str(port), "--backend-host", "127.0.0.1"),
            cwd=app_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(proc, url + "/ping", timeout, "blank reflex app", lambda: _tail(log))
        yield url, how
    finally:
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def retried(start: Callable[[], contextlib.AbstractContextManager[T]], tries: int = 3) -> Iterator[T]:
    """Enter ``start()``, again if it fails: on a loaded machine the prod build's prerender of a
    page can exceed react-router's 10 s and fail the build."""
    for attempt in range(1, tries + 1):
        stack = contextlib.ExitStack()
        try:
            value = stack.enter_context(start())
        except RuntimeError as err:
            stack.close()
            print(f"start failed ({attempt}/{tries}): {str(err).strip().splitlines()[-1]}", file=sys.stderr)
            if attempt == tries:
                raise
            continue
        with stack:
            yield value
        return


def js_weight(browser: Browser, url: str) -> dict[str, Any]:
    """Every JavaScript response of ``url`` until the network is idle: files, decoded and transferred bytes."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    files, raw, transfer, toss = [], 0, 0, 0
    for response in responses:
        kind = response.headers.get("content-type", "")
        if "javascript" not in kind and not response.url.split("?")[0].endswith((".js", ".mjs")):
            continue
        body = len(response.body())
        sent = response.request.sizes()["responseBodySize"]
        files.append({"url": response.url.removeprefix(url), "bytes": body, "transfer": sent})
        raw, transfer = raw + body, transfer + sent
        if TOSS_SCRIPT in response.url:
            toss += body
    context.close()
    files.sort(key=lambda f: -f["bytes"])
    return {"files": len(files), "bytes": raw, "transfer": transfer, "toss_bytes": toss, "largest": files[:5]}


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("이메일").fill(DEMO[0])
    page.get_by_label("비밀번호").fill(DEMO[1])
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("button", name="로그아웃").wait_for()


def click_to_window(browser: Browser, base: str, clicks: int) -> dict[str, Any]:
    """Sign in, then ``clicks`` times: load /, click 결제하기, time the window, cancel it."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    sign_in(page, base)
    times: dict[str, list[float]] = {key: [] for key in PHASES}
    for _ in range(clicks + 1):  # the first one warms the server's caches and is not counted
        page.goto(base + "/", wait_until="networkidle")
        page.get_by_role("button", name="로그아웃").wait_for()  # hydrated, the viewer known
        timing = page.evaluate(CLICK_TO_WINDOW, WINDOW)
        page.frame_locator(WINDOW).get_by_role("button", name="결제 취소").click()
        page.locator(WINDOW).wait_for(state="detached")
        for key in PHASES:
            if timing.get(key) is not None:
                times[key].append(timing[key])
    context.close()
    return {key: spread(values[1:]) for key, values in times.items() if len(values) > 1}


def run(clicks: int) -> dict[str, Any]:
    out: dict[str, Any] = {"reflex": reflex_version(), "machine_before": machine(load=True)}
    with chromium() as browser:
        started = time.monotonic()
        with retried(blank_app) as (url, how):
            out["blank"] = {"made": how, "build_and_start_s": round(time.monotonic() - started, 1)}
            out["blank"].update(js_weight(browser, url + "/"))
        started = time.monotonic()
        with retried(run_shop) as url:
            out["shop"] = {"build_and_start_s": round(time.monotonic() - started, 1)}
            out["shop"].update(js_weight(browser, url + "/"))
            out["click"] = click_to_window(browser, url, clicks)
    out["ratio_js"] = round(out["shop"]["bytes"] / out["blank"]["bytes"], 3)
    out["ratio_js_without_toss"] = round((out["shop"]["bytes"] - out["shop"]["toss_bytes"]) / out["blank"]["bytes"], 3)
    out["ratio_transfer"] = round(out["shop"]["transfer"] / out["blank"]["transfer"], 3)
    out["machine_after"] = machine(load=True)
    return out


def report(r: dict[str, Any]) -> None:
    print(f"Product page weight and click → window (Reflex {r['reflex']}, prod builds, Debian chromium)")
    print(f"machine: {r['machine_before']}  (after: load average {r['machine_after'].rsplit('average ', 1)[1]})")
    print(f"blank app made {r['blank']['made']}")
    print(f"{'page':<8}{'JS files':>10}{'JS bytes':>12}{'transfer':>12}{'build+start s':>15}")
    for name in ("blank", "shop"):
        w = r[name]
        print(f"{name:<8}{w['files']:>10}{w['bytes']:>12,}{w['transfer']:>12,}{w['build_and_start_s']:>15}")
    print(f"shop ÷ blank: JS bytes {r['ratio_js']}×, transfer {r['ratio_transfer']}×   (goal ≤ 1.3×)")
    if r["shop"]["toss_bytes"]:
        print(f"  of which the Toss script {r['shop']['toss_bytes']:,} bytes; without it {r['ratio_js_without_toss']}×")
    print("largest JS files of the shop's /:")
    for f in r["shop"]["largest"]:
        print(f"  {f['bytes']:>10,}  {f['transfer']:>10,}  {f['url']}")
    print(f"click 결제하기 → (ms, each click on a fresh page){'median':>14}{'p90':>9}{'min':>9}{'max':>9}")
    for key, label in PHASES.items():
        if s := r["click"].get(key):
            print(f"  {label:<44}{s['median']:>9}{s['p90']:>9}{s['min']:>9}{s['max']:>9}")
    print(f"n = {r['click']['loaded']['n']} clicks; goal: click → window (page loaded) median < 300 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    args = parser.parse_args()
    result = run(args.clicks)
    report(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
