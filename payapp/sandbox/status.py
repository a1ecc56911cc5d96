"""The Payment ``status`` machine as Toss draws it, in one table.

Every status change of the sandbox goes through :func:`move`, so a change Toss's flowcharts
do not have (toss-api.md §3.1) is a bug here, never a state a client meets:

- READY → IN_PROGRESS (the buyer authenticated) | EXPIRED (30 min);
- IN_PROGRESS → DONE | WAITING_FOR_DEPOSIT (a 가상계좌 issued) | ABORTED (the confirm was
  refused) | EXPIRED (not confirmed within 10 min);
- WAITING_FOR_DEPOSIT → DONE (deposit) | CANCELED (cancelled before deposit, in full only);
  a due date that passes changes no status (``virtualAccount.expired`` turns true);
- DONE | PARTIAL_CANCELED → PARTIAL_CANCELED | CANCELED.

A billing (자동결제) payment is born DONE: ``move(p, "DONE")`` from no status.
"""

from __future__ import annotations

from typing import Literal

from .jsontypes import Payment

Status = Literal[
    "READY", "IN_PROGRESS", "WAITING_FOR_DEPOSIT", "DONE", "CANCELED", "PARTIAL_CANCELED", "ABORTED", "EXPIRED"
]
TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: frozenset({"READY", "DONE"}),
    "READY": frozenset({"IN_PROGRESS", "EXPIRED"}),
    "IN_PROGRESS": frozenset({"DONE", "WAITING_FOR_DEPOSIT", "ABORTED", "EXPIRED"}),
    "WAITING_FOR_DEPOSIT": frozenset({"DONE", "CANCELED"}),
    "DONE": frozenset({"PARTIAL_CANCELED", "CANCELED"}),
    "PARTIAL_CANCELED": frozenset({"PARTIAL_CANCELED", "CANCELED"}),
    "ABORTED": frozenset(),
    "EXPIRED": frozenset(),
    "CANCELED": frozenset(),
}
# An order with a payment in one of these is paid (or refunded, or has an account issued for
# it): it takes no second approval (DUPLICATED_ORDER_ID).
APPROVED: frozenset[Status] = frozenset({"DONE", "CANCELED", "PARTIAL_CANCELED", "WAITING_FOR_DEPOSIT"})


class IllegalTransition(RuntimeError):
    """A status change the table does not allow: a bug in the sandbox, not a client error."""


def can_move(current: Status | None, to: Status) -> bool:
    return to in TRANSITIONS.get(current, frozenset())


def move(payment: Payment, to: Status) -> None:
    """Set ``payment["status"]`` to ``to``; raise :class:`IllegalTransition` if Toss never does that."""
    current = payment.get("status")
    if to not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(f"{current} → {to}")
    payment["status"] = to
