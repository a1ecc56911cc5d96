"""Success redirect → receipt on screen, in a real browser against the prod build.

    .venv/bin/python bench/success_receipt.py [--payments 20] [--json]

A benchmark, not a test: it prints and asserts nothing. It starts the shop as the browser tests
do (``tests/support/app.py``: ``reflex run --env prod`` on a free port, its own SQLite, the
sandbox mounted), signs the demo buyer in once in Debian's chromium, and then, ``--payments``
times (plus one warm-up, not counted):

1. prepares an order over REST and has the sandbox authorize it, as the buyer's 승인 in the
   window does (``POST /v1/payments/prepare``, ``POST /_sandbox/authorize``);
2. navigates the signed-in page to ``/success/?paymentKey&orderId&amount``, the URL Toss
   redirects to (the successUrl ``ShopState.pay`` gives it), and records (``performance.now()``, whose zero is the navigation's start)
   when the HTML arrived, DOMContentLoaded, and the first frame that shows the receipt:
   the heading "결제가 완료되었습니다" with ``data-testid="receipt"`` holding the orderId.

With ``--paths /success,/success/`` the payments alternate between the two URLs: the first is
what the shop gave Toss before (the prod server answers it with a 307 to ``/success/``).

Each receipt also means a confirm at the server that went through (DONE), so the time
includes the Redis claim, the Payment row, and the sandbox's confirm over HTTP.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Browser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from page_weight import DEMO, chromium, machine, retried, sign_in, spread  # noqa: E402

from payapp import routes  # noqa: E402
from payapp.sandbox.config import SANDBOX_CLIENT_KEY  # noqa: E402
from payapp.settings import SANDBOX_PREFIX  # noqa: E402
from tests.support.app import run_shop  # noqa: E402
from tests.support.browser import DESKTOP  # noqa: E402

# In every document: ``window.__receiptAt`` = the first frame after the receipt of the URL's order is in the DOM.
WATCH_RECEIPT = """(() => {
  const seen = () => {
    const receipt = document.querySelector('[data-testid="receipt"]');
    const heading = [...document.querySelectorAll("h1")].some((h) => h.textContent.includes("결제가 완료되었습니다"));
    const order = new URLSearchParams(location.search).get("orderId");
    return receipt && heading && order && receipt.textContent.includes(order);
  };
  new MutationObserver((_, observer) => {
    if (window.__receiptAt === undefined && seen()) {
      observer.disconnect();
      window.__receiptAt = null;
      requestAnimationFrame(() => { window.__receiptAt = performance.now(); });
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();"""
TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return { html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, redirect: nav.redirectEnd,
           receipt: window.__receiptAt };
}"""


def authorized(base: str, token: str, product_id: int) -> dict[str, Any]:
    """An order of one product, authorized at the sandbox: the query Toss redirects with."""
    bearer = {"Authorization": f"Bearer {token}"}
    order = httpx.post(
        base + "/v1/payments/prepare",
        headers=bearer,
        json={"items": [{"productId": product_id, "quantity": 1}]},
        timeout=30,
    ).json()
    authorization = httpx.post(
        base + SANDBOX_PREFIX + "/_sandbox/authorize",
        json={
            "clientKey": SANDBOX_CLIENT_KEY,
            "amount": order["amount"],
            "orderId": order["orderId"],
            "orderName": order["orderName"],
            "method": "카드",
        },
        timeout=30,
    ).json()
    return {"paymentKey": authorization["paymentKey"], "orderId": order["orderId"], "amount": order["amount"]}


def success_to_receipt(browser: Browser, base: str, payments: int, paths: list[str]) -> dict[str, Any]:
    token = httpx.post(base + "/v1/auth/token", json={"email": DEMO[0], "password": DEMO[1]}, timeout=30).json()[
        "accessToken"
    ]
    product_id = httpx.get(base + "/v1/products", timeout=30).json()["data"][0]["id"]
    context = browser.new_context(**DESKTOP)
    context.add_init_script(WATCH_RECEIPT)
    page = context.new_page()
    sign_in(page, base)
    rows = {path: {"html": [], "dcl": [], "receipt": []} for path in paths}
    for n in range(len(paths) * (payments + 1)):  # the first round warms the server up, not counted
        path = paths[n % len(paths)]
        query = authorized(base, token, product_id)
        page.goto(f"{base}{path}?{urlencode(query)}")
        page.wait_for_function("() => typeof window.__receiptAt === 'number'", timeout=60_000)
        timing = page.evaluate(TIMINGS)
        if n >= len(paths):
            for key, values in rows[path].items():
                values.append(timing[key])
    context.close()
    return {path: {key: spread(values) for key, values in row.items()} for path, row in rows.items()}


def run(payments: int, paths: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"machine_before": machine(load=True)}
    with chromium() as browser, retried(run_shop) as url:
        out["timings"] = success_to_receipt(browser, url, payments, paths)
    out["machine_after"] = machine(load=True)
    return out


def report(r: dict[str, Any]) -> None:
    print("Success redirect → receipt on screen (prod build, Debian chromium, signed-in buyer)")
    print(f"machine: {r['machine_before']}  (after: load average {r['machine_after'].rsplit('average ', 1)[1]})")
    labels = {"html": "HTML received", "dcl": "DOMContentLoaded", "receipt": "receipt on screen"}
    for path, timings in r["timings"].items():
        print(f"{path + '?…, ms since navigation start':<40}{'median':>9}{'p90':>9}{'min':>9}{'max':>9}")
        for key, label in labels.items():
            s = timings[key]
            print(f"  {label:<38}{s['median']:>9}{s['p90']:>9}{s['min']:>9}{s['max']:>9}")
        print(f"  n = {timings['receipt']['n']} payments")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payments", type=int, default=20, help="per path")
    parser.add_argument("--paths", default=f"{routes.SUCCESS}/", help="comma-separated, taken in turn")
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    args = parser.parse_args()
    result = run(args.payments, args.paths.split(","))
    report(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
