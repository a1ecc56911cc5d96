"""The sandbox's parts as a request reaches them: what ``create_app`` put on the app's state.

Starlette's ``app.state`` is untyped; these read it once each, typed, so that handlers do not
pass ``Any`` along.
"""

from __future__ import annotations

from starlette.requests import Request

from .config import SandboxConfig
from .ledger_core import RecordStore
from .payments import Ledger
from .webhooks import Webhooks


def config_of(request: Request) -> SandboxConfig:
    config: SandboxConfig = request.app.state.config
    return config


def store_of(request: Request) -> RecordStore:
    store: RecordStore = request.app.state.store
    return store


def ledger_of(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


def webhooks_of(request: Request) -> Webhooks:
    webhooks: Webhooks = request.app.state.webhooks
    return webhooks
