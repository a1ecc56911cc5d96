"""Sandbox configuration: key pairs, merchant ids and timing.

The sandbox never reads the environment itself; whoever starts it (the CLI in
``__main__`` or payapp's settings when mounted) builds a :class:`SandboxConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass

# The public key pair from Toss's documentation: works against real Toss too.
DOCS_CLIENT_KEY = "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq"
DOCS_SECRET_KEY = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"

# payapp's own sandbox pair: recognised only by this sandbox, never by real Toss.
SANDBOX_CLIENT_KEY = "test_ck_payappSandbox0000000000000"
SANDBOX_SECRET_KEY = "test_sk_payappSandbox0000000000000"


@dataclass(frozen=True)
class KeyPair:
    """A client key / secret key pair, as one merchant (mId) holds it."""

    client_key: str
    secret_key: str
    mid: str
    merchant_name: str = "payapp 샌드박스 상점"

    @property
    def is_test(self) -> bool:
        return self.secret_key.startswith("test_")


DEFAULT_KEY_PAIRS: tuple[KeyPair, ...] = (
    KeyPair(DOCS_CLIENT_KEY, DOCS_SECRET_KEY, "tosspayments", "토스페이먼츠 문서 상점"),
    KeyPair(SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY, "tpayappsbx", "payapp 샌드박스 상점"),
)


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the sandbox needs to run.

    ``redis_url`` None keeps state in process memory (one process only); a URL keeps
    it in Redis so that several worker processes serve one consistent sandbox.
    """

    key_pairs: tuple[KeyPair, ...] = DEFAULT_KEY_PAIRS
    redis_url: str | None = None
    redis_prefix: str = "tosssbx:"
    # Seconds: READY window lifetime and the confirm deadline after authentication.
    window_ttl: int = 30 * 60
    confirm_ttl: int = 10 * 60
    idempotency_ttl: int = 15 * 24 * 3600
    # Real seconds a running request holds its Idempotency-Key (409 to others meanwhile)
    # without renewing it. The run renews the hold every third of this while it runs, so a
    # live request keeps its key however slow it is; a worker that dies mid-request frees
    # it after this long instead of blocking it for the 15 days above. Not on the sandbox
    # clock: advancing that must never let a second run in beside a live first one.
    idempotency_processing_ttl: int = 120
    # How long a "lost response" fault keeps the connection open without answering.
    lost_response_hang: float = 120.0
    request_log_size: int = 10_000
    # Base of the receipt/checkout URLs written into Payment objects.
    receipt_base: str = "https://dashboard-sandbox.tosspayments.com"
    api_base_for_urls: str = "https://api.tosspayments.com"

    def pair_by_secret(self, secret_key: str) -> KeyPair | None:
        return next((p for p in self.key_pairs if p.secret_key == secret_key), None)

    def pair_by_client(self, client_key: str) -> KeyPair | None:
        return next((p for p in self.key_pairs if p.client_key == client_key), None)
