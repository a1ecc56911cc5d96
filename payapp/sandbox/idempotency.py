"""``Idempotency-Key``: a POST with a key runs its operation at most once per key and scope,
and a repeat gets the first answer (marked ``X-Sandbox-Idempotent-Replay``).

The scope is Toss's: (key, secret key, method, path). A run holds the key while it runs (409
``IDEMPOTENT_REQUEST_PROCESSING`` to a twin meanwhile) and renews the hold on the real clock;
its answer is kept 15 days on the sandbox clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from starlette.requests import Request

from .appstate import config_of, ledger_of, store_of
from .config import KeyPair
from .errors import SandboxError
from .http import english, route_path
from .jsontypes import ErrorBody, JSONObject, Refusal
from .store import Store

# What an operation answers: an object, a list (transactions), or nothing (DELETE); errors are
# Toss's {code, message}.
Body: TypeAlias = JSONObject | list[JSONObject] | ErrorBody | None
Op = Callable[[Request, KeyPair], Awaitable[JSONObject | list[JSONObject] | None]]
log = logging.getLogger("payapp.sandbox")
# A run's token: random per process, then a counter (unique across workers and restarts,
# and cheaper than fresh random bytes per request). Forked workers draw their own prefix.
_RUN_PREFIX = secrets.token_hex(8) + "-"
_RUN_SEQ = itertools.count()


def _new_run_prefix() -> None:
    global _RUN_PREFIX
    _RUN_PREFIX = secrets.token_hex(8) + "-"


os.register_at_fork(after_in_child=_new_run_prefix)


def _scope_key(request: Request, pair: KeyPair, idem_key: str) -> str:
    # Toss's scope: (key, secret key, method, path). The decoded secret key, not the raw
    # header, so padded and unpadded Basic values of one key share a scope.
    raw = "\0".join((idem_key, pair.secret_key, request.method, route_path(request)))
    return hashlib.sha256(raw.encode()).hexdigest()


async def idempotent(
    request: Request, op: Op, pair: KeyPair, entry: JSONObject, latency_ms: float | None, refusable: bool
) -> tuple[int, Body]:
    """Run ``op`` once per Idempotency-Key (a POST without one simply runs)."""
    store, config = store_of(request), config_of(request)
    idem_key = request.headers.get("idempotency-key") if request.method == "POST" else None
    if idem_key is None:
        return await run(request, op, pair, latency_ms, refusable)
    if len(idem_key) > 300 or not idem_key:
        raise SandboxError("INVALID_IDEMPOTENCY_KEY")
    scope = _scope_key(request, pair, idem_key)
    now = await ledger_of(request).now()
    # The run holds the key under a token of its own for ``hold`` real seconds and renews
    # the hold while it runs, so that the key is never run twice while its first run is
    # alive, however slow, and a worker dying mid-request frees it after ``hold``. The
    # sandbox clock does not touch the hold; the answer is then kept 15 days (sandbox clock).
    hold, token = config.idempotency_processing_ttl, f"{_RUN_PREFIX}{next(_RUN_SEQ)}"
    state, saved = await store.idem_begin(scope, token, now, hold)
    if state == "processing":
        raise SandboxError("IDEMPOTENT_REQUEST_PROCESSING")
    if state == "done":
        if saved is None:  # the store's contract: "done" comes with the kept answer
            raise RuntimeError(f"Idempotency-Key {idem_key!r}: done, but no answer kept")
        entry["replayed"] = True
        replayed: tuple[int, Body] = (saved["status"], saved["body"])
        return replayed
    renewal = _Renewal(store, scope, token, hold)
    try:
        status, body = await run(request, op, pair, latency_ms, refusable)
    except BaseException:
        renewal.stop()
        await store.idem_abort(scope, token)
        raise
    renewal.stop()
    if not await store.idem_finish(
        scope, token, {"status": status, "body": body}, now + config.idempotency_ttl, config.idempotency_ttl
    ):
        # The hold ran out under it (a stalled process): this answer is not the key's.
        log.warning("Idempotency-Key %r lost its hold while running; its answer is not kept", idem_key)
    return status, body


class _Renewal:
    """Renews a running request's hold every third of it, on the real clock.

    A timer, not a task: most requests end long before the first renewal is due, and then
    cost one ``call_later`` and one ``cancel``.
    """

    __slots__ = ("_store", "_scope", "_token", "_hold", "_loop", "_timer", "_task", "_stopped")

    def __init__(self, store: Store, scope: str, token: str, hold: int) -> None:
        self._store, self._scope, self._token, self._hold = store, scope, token, hold
        self._loop = asyncio.get_running_loop()
        self._stopped = False
        self._task: asyncio.Task[None] | None = None
        self._timer = self._loop.call_later(hold / 3, self._due)

    def _due(self) -> None:
        self._task = self._loop.create_task(self._renew())

    async def _renew(self) -> None:
        try:
            held = await self._store.idem_renew(self._scope, self._token, self._hold)
        except Exception:  # e.g. Redis briefly unreachable: the next renewal may still make it
            log.exception("renewing an Idempotency-Key hold failed")
            held = True
        if held and not self._stopped:
            self._timer = self._loop.call_later(self._hold / 3, self._due)

    def stop(self) -> None:
        # A renewal already in flight is left to finish: it is a compare-and-set on this
        # run's token, so it cannot touch the key once the run has finished or aborted.
        self._stopped = True
        self._timer.cancel()


async def run(request: Request, op: Op, pair: KeyPair, latency_ms: float | None, refusable: bool) -> tuple[int, Body]:
    """The operation itself, with a fault's latency; a sticky fault refuses it unless ``op``
    records the refusal itself (``refusable``: the confirm)."""
    # Latency stands for a slow Toss: it runs inside the idempotent section, so a
    # second request with the same key meanwhile gets 409.
    if latency_ms:
        await asyncio.sleep(latency_ms / 1000)
    try:
        refusal: Refusal | None = request.scope.get("sandbox.refusal")
        if refusal is not None and not refusable:
            raise SandboxError(refusal["errorCode"], status=refusal["status"])
        return 200, await op(request, pair)
    except SandboxError as err:
        return err.status, err.body(english(request))
