"""An offline, stateful emulator of the Toss Payments core API and payment window.

Self-contained: nothing here imports from the rest of payapp, so it can be lifted
into its own package.
"""

from .app import buyer_app, create_app
from .config import (
    DEFAULT_KEY_PAIRS,
    DOCS_WIDGET_CLIENT_KEY,
    DOCS_WIDGET_SECRET_KEY,
    SANDBOX_WIDGET_CLIENT_KEY,
    SANDBOX_WIDGET_SECRET_KEY,
    KeyPair,
    SandboxConfig,
    parse_webhook_hosts,
)

__all__ = [
    "create_app",
    "buyer_app",
    "SandboxConfig",
    "KeyPair",
    "DEFAULT_KEY_PAIRS",
    "parse_webhook_hosts",
    "DOCS_WIDGET_CLIENT_KEY",
    "DOCS_WIDGET_SECRET_KEY",
    "SANDBOX_WIDGET_CLIENT_KEY",
    "SANDBOX_WIDGET_SECRET_KEY",
]
