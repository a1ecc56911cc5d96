"""Names for the JSON values the sandbox passes around.

Payments, transaction rows, fault rules and webhook items are plain dicts: that is what the
store keeps (as JSON) and what goes over the wire, and a client must see every field exactly as
Toss writes it. The aliases below say which record a value is; the few shapes that never leave
the sandbox's own code are TypedDicts.
"""

from __future__ import annotations

from typing import Any, Required, TypedDict

# A JSON object as parsed (a request body, a stored record, a row).
JSONObject = dict[str, Any]
# Toss's Payment object (version 2022-11-16), exactly as sent.
Payment = dict[str, Any]
# What the store keeps of a payment: {"payment": Payment, "internal": {...}}; only "payment"
# is ever sent.
PaymentRecord = dict[str, Any]
# A request's optional fields, read into one flat dict by ``options.parse``.
Options = dict[str, Any]


class Internal(TypedDict, total=False):
    """What the sandbox keeps beside a Payment and never sends (``record["internal"]``)."""

    createdAt: Required[float]  # the window opened (a billing payment: charged)
    authenticatedAt: Required[float | None]  # the buyer chose 승인 (IN_PROGRESS from then)
    clientKey: Required[str]  # the key pair that opened it: the only one that sees it
    successUrl: Required[str | None]
    failUrl: Required[str | None]
    customerName: Required[str | None]
    customerEmail: Required[str | None]
    options: Options  # the request's optional fields (options.parse)
    bank: str  # the bank the buyer picked in the window
    windowClosed: str  # "reject" | "cancel": the buyer left the window that way
    dueAt: float  # a 가상계좌's due date
    approvalTransactionKey: str  # lastTransactionKey moves on with every cancel; this stays
    customerKey: str  # a billing payment's customer and key
    billingKey: str


class ErrorBody(TypedDict):
    """Toss's error answer."""

    code: str
    message: str


class Refusal(TypedDict):
    """A sticky fault: Toss refuses the call for real (a confirm leaves the payment ABORTED)."""

    errorCode: str
    status: int | None
