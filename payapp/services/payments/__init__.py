"""The payment core: prepare → confirm → settle and reconcile → refund.

One module per job, each with the money rule it keeps:
- ``prepare``: the server prices the order;
- ``confirm``: the durable intent row before Toss, one confirm per order;
- ``settle``: one order brought in line with Toss;
- ``reconcile``: the sweep over every unsettled payment; ``transactions``: 거래 대사;
- ``refund``: refunds with keys of their own, never undone;
- ``apply``: Toss's answer onto our row, stale answers ignored;
- ``tosscall``: calling Toss with retries under a deadline; ``base``: the order lock.
"""

from ..inputs import valid_order_id
from .apply import UNSETTLED
from .base import find_payment, parse_amount
from .prepare import order_name_for
from .reconcile import SweepPolicy, SweepReport, stuck_condition, stuck_count
from .service import PaymentService
from .transactions import TransactionsReport

__all__ = [
    "UNSETTLED",
    "PaymentService",
    "SweepPolicy",
    "SweepReport",
    "TransactionsReport",
    "find_payment",
    "order_name_for",
    "parse_amount",
    "stuck_condition",
    "stuck_count",
    "valid_order_id",
]
