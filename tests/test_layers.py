"""The app's layers import downward only: pages → components → state → services →
toss/store/db/schemas → models → settings, with the sandbox standing alone below them all.
State and the REST API call services only: never the database, Redis or the Toss client."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAYAPP = Path(__file__).resolve().parents[1] / "payapp"
# Rank of each top-level part of payapp: a module may import parts of a lower rank only.
RANKS = {
    "sandbox": -1,  # imports nothing of payapp (tests/sandbox/test_isolation.py)
    "settings": 0,
    "routes": 0,
    "formatting": 0,
    "models": 1,
    "failpoints": 1,
    "db": 2,
    "store": 2,
    "toss": 2,
    "schemas": 2,
    "services": 3,
    "state": 4,
    "api": 4,
    "reconcile": 4,
    "components": 5,
    "pages": 6,
}
# What state and the API may not reach past the services.
BELOW_SERVICES = {"db", "store", "toss"}
# Where the parts are put together (or command-line tools): they may import any part.
ROOTS = {
    "payapp/payapp.py",
    "payapp/api/app.py",
    "payapp/api/__main__.py",
    "payapp/seed.py",
    "payapp/seed_payments.py",
    "payapp/users.py",
    "payapp/__init__.py",
}
FILES = sorted(p for p in PAYAPP.rglob("*.py") if "sandbox" not in p.relative_to(PAYAPP).parts)


def part(module: str) -> str | None:
    names = module.split(".")
    return names[1] if names[0] == "payapp" and len(names) > 1 else None


def imports(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of ``path``; ``from payapp import x`` is payapp.x."""
    package = list(path.relative_to(PAYAPP.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package[:-1]
    out = []
    source = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            if module == "payapp":
                out += [(node.lineno, f"payapp.{alias.name}") for alias in node.names]
            else:
                out.append((node.lineno, module))
    return out


def test_every_part_of_payapp_has_a_rank():
    parts = {
        p.relative_to(PAYAPP).parts[0].removesuffix(".py")
        for p in PAYAPP.iterdir()
        if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())
    }
    roots = {Path(r).stem for r in ROOTS if r.count("/") == 1}
    assert parts - set(RANKS) - roots - {"__init__"} == set()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PAYAPP)) for p in FILES])
def test_imports_point_down(path):
    where = str(path.relative_to(PAYAPP.parent))
    if where in ROOTS:
        return
    own = path.relative_to(PAYAPP).parts[0].removesuffix(".py")
    bad = []
    for line, module in imports(path):
        other = part(module)
        if other is None or other == own:
            continue
        if RANKS[other] >= RANKS[own]:
            bad.append(f"line {line}: {module} ({other} is not below {own})")
        elif own in ("state", "api") and other in BELOW_SERVICES:
            bad.append(f"line {line}: {module} ({own} calls services, not {other})")
    assert not bad, f"{where}: {bad}"


def test_the_check_sees_a_layer_skipped():
    probe = PAYAPP / "state" / "probe_never_written.py"
    source = "from payapp.db import run_db\nfrom payapp import routes\nfrom ..store.redis import get_redis\n"
    names = [m for _, m in imports(probe, source)]
    assert names == ["payapp.db", "payapp.routes", "payapp.store.redis"]
