"""An offline, stateful emulator of the Toss Payments core API and payment window.

Self-contained: nothing here imports from the rest of payapp, so it can be lifted
into its own package.
"""

from .app import create_app
from .config import DEFAULT_KEY_PAIRS, KeyPair, SandboxConfig

__all__ = ["create_app", "SandboxConfig", "KeyPair", "DEFAULT_KEY_PAIRS"]
