"""The buyer's payment window as the ledger sees it: opening it (a READY payment) and the
buyer's choice in it (승인 → IN_PROGRESS; a refusal or backing out → failUrl)."""

from __future__ import annotations

from . import options as request_options
from . import virtual_accounts as va
from .config import KeyPair
from .errors import SandboxError, message
from .jsontypes import Internal, JSONObject, PaymentRecord
from .ledger_core import LedgerCore
from .methods import METHODS
from .payment_object import new_payment, new_payment_key, validate_window_request
from .status import move


class Checkout(LedgerCore):
    async def open_window(self, pair: KeyPair, params: JSONObject, widget: bool | None = None) -> PaymentRecord:
        """The buyer opened the window: a READY payment bound to orderId and amount.

        ``widget``: opened through the SDK's ``widgets()`` (True) or ``payment()`` / v1 (False),
        which take keys of one family each.
        """
        record = await self._new_window(pair, params, widget)
        await self.store.put_payment(record)
        return record

    async def authorize(
        self, pair: KeyPair, params: JSONObject, outcome: str, choices: dict[str, str] | None = None
    ) -> tuple[PaymentRecord, dict[str, object]]:
        """The headless buyer: the window opened (either key family) and the buyer's choice made
        in it, as :meth:`open_window` then :meth:`window_outcome` would, in one step.

        The payment is new and its key known to nobody else yet, so no lock is needed and it is
        stored once, with the choice made: half the store's work of the two steps.
        """
        record = await self._new_window(pair, params, None)
        params = _choose(record, outcome, choices, record["internal"]["createdAt"])
        await self.store.put_payment(record)
        return record, params

    async def _new_window(self, pair: KeyPair, params: JSONObject, widget: bool | None) -> PaymentRecord:
        """A READY payment for the window's request, not stored yet."""
        if widget is True and not pair.is_widget:
            raise SandboxError("NOT_SUPPORTED_API_INDIVIDUAL_KEY")
        if widget is False and pair.is_widget:
            raise SandboxError("NOT_SUPPORTED_WIDGET_KEY")
        method, amount, order_id, order_name = validate_window_request(params)
        method = METHODS[method]
        options = request_options.parse(params, method, amount)
        now = await self.now()
        if method == "가상계좌":
            va.check_due(options, now, self.config.va_max_hours)
        # orderIds are unique per merchant: once any payment of the order was approved, no
        # new window opens for it. A window that slips in beside a confirm is refused at its
        # own confirm, under the order's lock.
        if await self.order_is_paid(pair.mid, order_id):
            raise SandboxError("DUPLICATED_ORDER_ID")
        payment_key = new_payment_key(pair, now)
        payment = new_payment(
            pair, self.config.api_base_for_urls, payment_key, order_id, order_name, amount, method, now, options
        )
        move(payment, "READY")
        internal: Internal = {
            "createdAt": now,
            "authenticatedAt": None,
            "clientKey": pair.client_key,
            "successUrl": params.get("successUrl"),
            "failUrl": params.get("failUrl"),
            "customerName": params.get("customerName"),
            "customerEmail": params.get("customerEmail"),
        }
        if options:
            internal["options"] = options
        record: PaymentRecord = {"payment": payment, "internal": internal}
        return record

    async def window_outcome(
        self, payment_key: str, outcome: str, choices: dict[str, str] | None = None
    ) -> tuple[PaymentRecord, dict[str, object]]:
        """Apply the buyer's choice; returns the record and the redirect query parameters.

        Only 승인 changes the payment (IN_PROGRESS). A refusal in the window (카드 거절) or the
        buyer backing out sends the buyer to failUrl and leaves the payment READY, never
        approved, to expire: Toss reaches ABORTED only from a refused confirm (toss-api.md §13).
        """
        async with self.store.lock(payment_key):
            record = await self.store.get_payment(payment_key)
            if record is None:
                raise SandboxError("NOT_FOUND_PAYMENT")
            p, internal = record["payment"], record["internal"]
            now = await self.now()
            expired = self._expire_if_due(record, now)
            if expired or p["status"] != "READY" or internal.get("windowClosed"):
                await self._save(record, now, changed=expired)
                raise SandboxError("NOT_FOUND_PAYMENT_SESSION")
            params = _choose(record, outcome, choices, now)
            await self._save(record, now, changed=False)
            return record, params


def _choose(record: PaymentRecord, outcome: str, choices: dict[str, str] | None, now: float) -> dict[str, object]:
    """The buyer's choice in an open READY window, made on ``record``; the redirect's query."""
    p, internal = record["payment"], record["internal"]
    params: dict[str, object]
    if outcome == "approve":
        move(p, "IN_PROGRESS")
        internal["authenticatedAt"] = now
        if choices and choices.get("bank"):
            internal["bank"] = choices["bank"]
        params = {
            "paymentType": "NORMAL",
            "orderId": p["orderId"],
            "paymentKey": p["paymentKey"],
            "amount": p["totalAmount"],
        }
    elif outcome in ("reject", "cancel"):
        internal["windowClosed"] = outcome
        code = (
            ("REJECT_CARD_COMPANY" if p["method"] in ("카드", "간편결제") else "PAY_PROCESS_ABORTED")
            if outcome == "reject"
            else "PAY_PROCESS_CANCELED"
        )
        params = {"code": code, "message": message(code), "orderId": p["orderId"]}
    else:
        raise SandboxError(
            "INVALID_REQUEST",
            "outcome: approve | reject | cancel",
            detail_en="outcome: approve | reject | cancel",
        )
    return params
