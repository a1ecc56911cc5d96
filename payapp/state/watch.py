"""Lists that follow reconciliation: while a page shows an unsettled payment, a background event
re-reads the list every few seconds (read only: the reconciler settles, not the page).

A page's state keeps a backend-only ``_watch_id``. ``start`` gives it a new id (any older loop
of that state then stops at its next round); leaving the page (``on_unmount``) clears it.
A loop also stops once nothing listed is unsettled, and after ``WATCH_FOR_SECONDS`` at most.

    async for _ in watch_rounds(self, watch_id):   # in an @rx.event(background=True) handler
        ...read outside ``async with self``, then show it under it...
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from payapp.services.payments import UNSETTLED

WATCH_EVERY_SECONDS = 3.0
WATCH_FOR_SECONDS = 15 * 60


def any_unsettled(rows: Iterable[Mapping[str, Any]]) -> bool:
    return any(row.get("status") in UNSETTLED for row in rows)


def new_watch_id() -> str:
    return secrets.token_hex(8)


async def watch_rounds(state: Any, watch_id: str) -> AsyncIterator[None]:
    """Yield every WATCH_EVERY_SECONDS while ``state._watch_id`` is still ``watch_id``."""
    loop = asyncio.get_running_loop()
    until = loop.time() + WATCH_FOR_SECONDS
    while loop.time() < until:
        await asyncio.sleep(WATCH_EVERY_SECONDS)
        async with state:
            if state._watch_id != watch_id:
                return
        yield
