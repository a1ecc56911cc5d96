"""The sandbox's payment ledger: the Toss Payment object and its state machine.

A record is ``{"payment": <Toss Payment object>, "internal": {...}}``; only ``payment``
is ever sent over the wire. How a Payment object is built is ``payment_object``'s; which
status may follow which is ``status``'s. The ledger is put together from one part per
concern: ``ledger_core`` (storing, the clock, visibility, expiry), ``checkout`` (the
buyer's window), ``confirm`` (approval, a 가상계좌's deposit) and ``cancel``.
"""

from __future__ import annotations

from .cancel import Cancels
from .checkout import Checkout
from .confirm import Approvals


class Ledger(Checkout, Approvals, Cancels):
    """Operations on sandbox payments; every mutation runs under the payment's lock.

    ``on_change(payment, now)``, when given, is called after each stored status change
    (the sandbox's webhooks); it must not block.
    """


__all__ = ["Ledger"]
