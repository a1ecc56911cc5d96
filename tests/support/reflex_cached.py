"""``reflex run`` whose production build is reused when the compiled frontend is the same.

``python -m tests.support.reflex_cached run --env prod ...`` is ``reflex run`` with one step
changed: Reflex's ``build()`` (``react-router build``, most of a start-up). Reflex still
initializes the web directory, compiles the app with this run's settings and writes env.json;
then the compiled sources (node_modules and the build output left out) are looked up in the
builds filed under ``PAYAPP_BUILD_CACHE``:

- a miss runs the real build and files its output with the sources it was built from;
- a hit copies the filed output instead, with the backend URLs baked into it (env.json's
  ``http://localhost:<port>/...``) rewritten to this run's, and the gzip sidecars of the files
  rewritten made again.

The compiled sources carry everything a build depends on besides node_modules (the same for the
whole run), including settings baked in as initial state (client key, widget mode). A hit needs
them equal up to two things: env.json's backend URLs, and a consistent renaming of the
identifiers Reflex derives from ``hash()`` of a Var (object hashes, different in every process:
``ref_..._reflex_Var_<n>``, the memo components' ``<md5>_<hash>`` suffixes), names that only tie
the bundle together and that the backend never sends.

It also holds the server back until ``PAYAPP_START_AFTER`` exists: run_shop seeds the database
while Reflex compiles, and the app serves only a seeded database, as after ``make run``'s seed.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import pickle
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from reflex import reflex
from reflex.utils import build, prerequisites
from reflex.utils import exec as reflex_exec

SKIPPED_DIRS = {"node_modules", "build", ".react-router"}
# Per-run bookkeeping that does not reach the build.
SKIPPED_FILES = {"reflex.json", "reflex.install_frontend_packages.cached"}
SIDECARS = (".gz", ".br", ".zst")
VOLATILE = re.compile(rb"reflex_Var_-?\d+|[0-9a-f]{32}_[0-9a-f]{8}")
_real_build = build.build
_real_run_backend_prod = reflex_exec.run_backend_prod


def _env(web: Path) -> dict[str, object]:
    return json.loads((web / "env.json").read_text())


def _urls(env: dict[str, object]) -> set[object]:
    return {v for v in env.values() if isinstance(v, str) and "://" in v}


def compiled_sources(web: Path) -> dict[str, bytes]:
    """The compiled frontend by relative path; JSON canonical, env.json without its URLs."""
    sources = {}
    for path in sorted(web.rglob("*")):
        rel = path.relative_to(web)
        if rel.parts[0] in SKIPPED_DIRS or rel.name in SKIPPED_FILES or not path.is_file():
            continue
        data = path.read_bytes()
        if rel.as_posix() == "env.json":
            env = _env(web)
            data = json.dumps({k: "URL" if v in _urls(env) else v for k, v in env.items()}).encode()
        elif rel.suffix == ".json":  # Reflex writes package.json compact or indented
            with contextlib.suppress(ValueError):
                data = json.dumps(json.loads(data), sort_keys=True).encode()
        sources[rel.as_posix()] = data
    return sources


def digest(sources: dict[str, bytes]) -> str:
    """The same for sources that differ only in volatile names."""
    h = hashlib.sha256()
    for rel, data in sources.items():
        h.update(rel.encode() + b"\0" + hashlib.sha256(VOLATILE.sub(b"~", data)).digest())
    return h.hexdigest()


def same_up_to_renaming(a: dict[str, bytes], b: dict[str, bytes]) -> bool:
    """Equal once one bijection between volatile names is applied everywhere."""
    if a.keys() != b.keys():
        return False
    forward: dict[bytes, bytes] = {}
    backward: dict[bytes, bytes] = {}
    for rel, data in a.items():
        if VOLATILE.sub(b"~", data) != VOLATILE.sub(b"~", b[rel]):
            return False
        for x, y in zip(VOLATILE.findall(data), VOLATILE.findall(b[rel]), strict=True):
            if forward.setdefault(x, y) != y or backward.setdefault(y, x) != x:
                return False
    return True


def _copy_rewritten(entry: Path, web: Path) -> None:
    """The filed build into ``web``, its backend URLs made this run's."""
    old, new = _env(entry), _env(web)
    urls = _urls(old)
    pairs = [(str(v).encode(), str(new[k]).encode()) for k, v in old.items() if v in urls and v != new[k]]
    shutil.copytree(entry / "build", web / "build", copy_function=os.link)
    for path in (web / "build").rglob("*"):
        if not path.is_file() or path.suffix in SIDECARS:
            continue
        data = rewritten = path.read_bytes()
        for url, replacement in pairs:
            rewritten = rewritten.replace(url, replacement)
        if rewritten == data:
            continue
        path.unlink()  # a hard link to the filed copy: write a file of its own
        path.write_bytes(rewritten)
        for ext in SIDECARS:
            sidecar = path.with_name(path.name + ext)
            if sidecar.exists():
                sidecar.unlink()
                if ext == ".gz":
                    sidecar.write_bytes(gzip.compress(rewritten, 9))


def cached_build() -> None:
    cache = os.environ.get("PAYAPP_BUILD_CACHE")
    if not cache:
        return _real_build()
    web = prerequisites.get_web_dir()
    sources = compiled_sources(web)
    entry = Path(cache) / digest(sources)
    if (entry / "build").is_dir() and same_up_to_renaming(
        pickle.loads((entry / "sources.pickle").read_bytes()), sources
    ):
        print(f"Reusing the production build {entry.name[:12]}: the same compiled pages", flush=True)
        return _copy_rewritten(entry, web)
    _real_build()
    if entry.exists():  # same digest, other names: keep the first
        return None
    staging = Path(tempfile.mkdtemp(dir=cache))
    shutil.copytree(web / "build", staging / "build")
    shutil.copy(web / "env.json", staging / "env.json")
    (staging / "sources.pickle").write_bytes(pickle.dumps(sources))
    try:
        staging.rename(entry)
    except OSError:  # another run filed the same build meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return None


def run_backend_after_seed(*args: Any, **kwargs: Any) -> None:
    """Serve only once ``PAYAPP_START_AFTER`` exists: run_shop seeds the database meanwhile."""
    marker = os.environ.get("PAYAPP_START_AFTER")
    while marker and not Path(marker).exists():
        time.sleep(0.05)
    _real_run_backend_prod(*args, **kwargs)


build.build = cached_build
reflex_exec.run_backend_prod = run_backend_after_seed

if __name__ == "__main__":
    sys.exit(reflex.cli())
