"""Sandbox configuration: key pairs, merchant ids and timing.

The sandbox never reads the environment itself; whoever starts it (the CLI in
``__main__`` or payapp's settings when mounted) builds a :class:`SandboxConfig`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

# The public key pair from Toss's documentation: works against real Toss too.
DOCS_CLIENT_KEY = "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq"
DOCS_SECRET_KEY = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"

# payapp's own sandbox pair: recognised only by this sandbox, never by real Toss.
SANDBOX_CLIENT_KEY = "test_ck_payappSandbox0000000000000"
SANDBOX_SECRET_KEY = "test_sk_payappSandbox0000000000000"

# 결제위젯 연동 키 (gck/gsk): the public widget pair of Toss's documentation and samples, and
# payapp's own widget pair. A widget pair's payments are confirmed with its gsk.
DOCS_WIDGET_CLIENT_KEY = "test_gck_docs_Ovk5rk1EwkEbP0W43n07xlzm"
DOCS_WIDGET_SECRET_KEY = "test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6"
SANDBOX_WIDGET_CLIENT_KEY = "test_gck_payappSandbox000000000000"
SANDBOX_WIDGET_SECRET_KEY = "test_gsk_payappSandbox000000000000"


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

    @property
    def is_widget(self) -> bool:
        """A 결제위젯 연동 키 pair (gck/gsk), not an API 개별 연동 키 pair (ck/sk)."""
        return "_gck_" in self.client_key[:10]

    def same_family(self, other: KeyPair) -> bool:
        """Keys of one family and mode: mixing widget and individual keys, or test and live
        keys, is Toss's INVALID_API_KEY."""
        return self.is_widget == other.is_widget and self.is_test == other.is_test


DEFAULT_KEY_PAIRS: tuple[KeyPair, ...] = (
    KeyPair(DOCS_CLIENT_KEY, DOCS_SECRET_KEY, "tosspayments", "토스페이먼츠 문서 상점"),
    KeyPair(SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY, "tpayappsbx", "payapp 샌드박스 상점"),
    KeyPair(DOCS_WIDGET_CLIENT_KEY, DOCS_WIDGET_SECRET_KEY, "tosswidgetdocs", "토스페이먼츠 결제위젯 문서 상점"),
    KeyPair(SANDBOX_WIDGET_CLIENT_KEY, SANDBOX_WIDGET_SECRET_KEY, "tpayappwgt", "payapp 샌드박스 상점 (결제위젯)"),
)


@dataclass(frozen=True)
class Retention:
    """How much the sandbox keeps, so that a long-running one stays within a bounded memory.

    Toss keeps payments for good; a sandbox that did would grow by every payment it ever saw.
    A payment (with its transaction rows and its place in its order) is forgotten when it has
    not changed for ``payment_seconds`` on the sandbox clock, or when ``max_payments`` newer-
    changed ones are kept; a lookup then answers 404 ``NOT_FOUND_PAYMENT``, as for a key that
    never existed. An Idempotency-Key's answer is kept ``SandboxConfig.idempotency_ttl`` (15
    days, Toss's rule) but at most ``max_idempotency_answers`` of them, oldest dropped first; a
    dropped key runs its request again, like an expired one. The request and webhook delivery
    logs keep their newest ``SandboxConfig.request_log_size`` entries each.

    The Redis store reads the same values: ``payment_seconds`` and ``idempotency_ttl`` as TTLs.
    """

    # 30 days: longer than the 15 days an idempotent answer is kept (a replay never points at
    # a forgotten payment) and than the 7 days a 가상계좌 waits by default.
    payment_seconds: int = 30 * 24 * 3600
    # About 3 KB each in memory (record, transaction row, order index): 20,000 ≈ 60 MB.
    max_payments: int = 20_000
    # About 2 KB each (the answer is the Payment object): 20,000 ≈ 40 MB.
    max_idempotency_answers: int = 20_000

    def __post_init__(self) -> None:
        if min(self.payment_seconds, self.max_payments, self.max_idempotency_answers) < 1:
            raise ValueError("retention settings must be at least 1")


def parse_retention(environ: Mapping[str, str]) -> Retention:
    """:class:`Retention` from ``SANDBOX_RETENTION_PAYMENT_SECONDS``, ``SANDBOX_RETENTION_MAX_PAYMENTS``
    and ``SANDBOX_RETENTION_MAX_IDEMPOTENCY_ANSWERS`` (whole numbers ≥ 1; each one missing keeps
    its default). For whoever starts the sandbox: the sandbox itself reads no environment.
    Raises ValueError on a value that is not such a number."""
    values: dict[str, int] = {}
    for field in fields(Retention):
        raw = environ.get(f"SANDBOX_RETENTION_{field.name.upper()}")
        if raw is None or not raw.strip():
            continue
        if not raw.strip().isdigit() or int(raw) < 1:
            raise ValueError(f"SANDBOX_RETENTION_{field.name.upper()}: {raw!r} is not a whole number ≥ 1")
        values[field.name] = int(raw)
    return Retention(**values)


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
    # What the store keeps and for how long (see Retention).
    retention: Retention = Retention()
    # Base of the receipt/checkout URLs written into Payment objects.
    receipt_base: str = "https://dashboard-sandbox.tosspayments.com"
    api_base_for_urls: str = "https://api.tosspayments.com"
    # The sandbox's own absolute base URL as browsers reach it (prefix included), written into
    # the SDK script it serves. None: taken from the request that fetched the script.
    public_url: str | None = None
    # 가상계좌: hours an issued account stays open when the request gives neither validHours nor
    # dueDate (Toss's default, 168 h), and the most it may (2160 h = 90 days).
    va_valid_hours: int = 168
    va_max_hours: int = 2160
    # The control API over HTTP (reset, payments, requests, clock, faults, webhooks, idempotency
    # under /_sandbox/). False answers them 404 like any unknown path; what a buyer's browser
    # needs stays: the window and its form posts, the landing pages, the SDK script, authorize
    # (the headless 승인), and /_sandbox/health.
    control: bool = True
    # Where webhook targets may point. None: anywhere. A tuple: loopback (127.0.0.0/8, ::1,
    # localhost) plus these host names and IP addresses or networks (see parse_webhook_hosts).
    webhook_hosts: tuple[str, ...] | None = None

    def pair_by_secret(self, secret_key: str) -> KeyPair | None:
        return next((p for p in self.key_pairs if p.secret_key == secret_key), None)

    def pair_by_client(self, client_key: str) -> KeyPair | None:
        return next((p for p in self.key_pairs if p.client_key == client_key), None)

    def webhook_url_allowed(self, url: str) -> bool:
        """May a webhook go to ``url``? Decided on the host as written (no DNS lookup)."""
        if self.webhook_hosts is None:
            return True
        try:
            host = (urlsplit(url).hostname or "").rstrip(".").lower()
        except ValueError:
            return False
        address = _address(host)
        if host == "localhost" or (address is not None and address.is_loopback):
            return True
        for entry in self.webhook_hosts:
            entry = entry.strip().rstrip(".").lower()
            if "/" in entry:
                network = ipaddress.ip_network(entry, strict=False)
                if address is not None and address.version == network.version and address in network:
                    return True
            elif host == entry or (address is not None and address == _address(entry)):
                return True
        return False


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1, ::ffff:10.0.0.1 is 10.0.0.1
    return address


def parse_webhook_hosts(text: str) -> tuple[str, ...] | None:
    """``SandboxConfig.webhook_hosts`` from a comma-separated list; ``*`` = anywhere (None).

    Entries are host names (``hooks.example.com``, matched exactly), IP addresses or networks
    (``10.0.0.0/8``); loopback is always allowed, so "" means loopback only.
    Raises ValueError on an entry that is none of these.
    """
    entries = [e.strip().rstrip(".").lower() for e in text.split(",") if e.strip()]
    if "*" in entries:
        return None
    for entry in entries:
        if "/" in entry:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"webhook hosts: {entry!r} is not an IP network") from None
        elif _address(entry) is None and not all(
            label and label.replace("-", "").isalnum() and label.isascii() for label in entry.split(".")
        ):
            raise ValueError(f"webhook hosts: {entry!r} is not a host name or an IP address")
    return tuple(str(ipaddress.ip_network(e, strict=False)) if "/" in e else e for e in entries)
