"""payapp.sandbox stands alone: it imports nothing from the rest of payapp."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SANDBOX = Path(__file__).resolve().parents[2] / "payapp" / "sandbox"
FILES = sorted(SANDBOX.rglob("*.py"))


def imported_modules(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``, relative ones resolved."""
    package = ["payapp", *path.relative_to(SANDBOX.parent).parent.parts]
    source = path.read_text(encoding="utf-8") if source is None else source
    out = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                out.append((node.lineno, node.module or ""))
                continue
            if node.level - 1 >= len(package):
                out.append((node.lineno, "<beyond the top package>"))
                continue
            base = package[: len(package) - (node.level - 1)]
            module = ".".join([*base, node.module] if node.module else base)
            names = [module] if node.module else [f"{module}.{a.name}" for a in node.names]
            out += [(node.lineno, n) for n in names]
    return out


def test_there_are_sandbox_files_to_check():
    names = {f.relative_to(SANDBOX).as_posix() for f in FILES}
    assert {"app.py", "api.py", "payments.py", "store/memory.py", "store/redis.py"} <= names


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(SANDBOX)) for f in FILES])
def test_sandbox_file_imports_nothing_of_payapp_outside_the_sandbox(path):
    bad = [
        f"line {line}: {name}"
        for line, name in imported_modules(path)
        if (name == "payapp" or name.startswith("payapp.") or name.startswith("<"))
        and not (name == "payapp.sandbox" or name.startswith("payapp.sandbox."))
    ]
    assert not bad, f"{path.name} reaches outside payapp.sandbox: {bad}"


def test_the_check_resolves_relative_imports_that_escape_the_sandbox():
    source = "from .. import settings\nfrom ..db import engine\nimport payapp.models\nfrom . import store\n"
    names = [n for _, n in imported_modules(SANDBOX / "probe.py", source)]  # a file that is never written
    assert names == ["payapp.settings", "payapp.db", "payapp.models", "payapp.sandbox.store"]
    deep = [n for _, n in imported_modules(SANDBOX / "probe.py", "from ... import x\n")]
    assert deep == ["<beyond the top package>"]
