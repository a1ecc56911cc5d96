"""Every /v1/admin route answers 401 without a token and 403 to a customer: enumerated from the
app itself, so a new admin route cannot ship unguarded."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from payapp.api.app import create_api


def walk(routes, prefix: str = ""):
    """Every APIRoute, also inside included routers (FastAPI ≥0.16x keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # fastapi.routing._IncludedRouter
            yield from walk(route.original_router.routes, prefix + route.include_context.prefix)


def admin_routes() -> list[tuple[str, str]]:
    app = create_api()
    found = {(method, path) for path, route in walk(app.routes) for method in route.methods - {"HEAD"}}
    found |= {(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops}
    return sorted(
        (method, re.sub(r"\{[^}]+\}", "ord_guard_probe", path))
        for method, path in found
        if path.startswith("/v1/admin")
    )


ROUTES = admin_routes()


def test_the_app_has_admin_routes_to_guard():
    assert len(ROUTES) >= 6, ROUTES  # list, csv, stats, detail, cancel, sync


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_admin_route_refuses_anonymous_and_customers(pg_shop, method, path):
    # A bad query must not get a 400 past the guard either: the guard answers first.
    url = path + "?status=NOPE&cursor=%%%"
    anonymous = pg_shop.http.request(method, url, json={})
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.json()["code"] == "UNAUTHORIZED" and "Bearer" in anonymous.json()["message"]
    assert anonymous.headers["www-authenticate"] == "Bearer"

    customer = pg_shop.http.request(method, url, headers=pg_shop.signup(), json={})
    assert customer.status_code == 403, customer.text
    assert customer.json()["code"] == "FORBIDDEN"

    garbage = pg_shop.http.request(method, url, headers={"Authorization": "Bearer not-a-jwt"}, json={})
    assert garbage.status_code == 401, garbage.text
