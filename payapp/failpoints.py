"""Crash points for reliability tests: ``PAYAPP_FAILPOINTS=confirm.after_intent`` makes this
process SIGKILL itself when it reaches that point, so a test can stop a confirm exactly between
two of its steps and prove what heals it. Empty (the default) they cost one set lookup.

The points, in the order a confirm passes them:
- ``confirm.after_claim``: the order is claimed in Redis, no Payment row yet;
- ``confirm.after_intent``: the IN_PROGRESS row is committed, Toss not called yet;
- ``confirm.after_toss``: Toss answered, the answer not written yet.
"""

from __future__ import annotations

import logging
import os
import signal
from functools import lru_cache

from payapp.settings import get_settings

log = logging.getLogger(__name__)


@lru_cache
def _armed() -> frozenset[str]:
    return frozenset(p.strip() for p in get_settings().failpoints.split(",") if p.strip())


def failpoint(name: str) -> None:
    """SIGKILL this process here if ``name`` is armed (no clean-up, exactly a crash)."""
    if name in _armed():
        log.critical("failpoint %s: killing process %d", name, os.getpid())
        os.kill(os.getpid(), signal.SIGKILL)
