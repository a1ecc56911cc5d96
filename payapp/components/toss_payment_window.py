"""``toss_payment_window``: opens the Toss payment window (결제창) for a payment request.

A reusable Reflex component with no shop logic: give it a client key and a request, and
it loads the Toss script through the official npm loader ``@tosspayments/payment-sdk``
(``loadTossPayments(clientKey, {src})``) as soon as it is on the page, and calls
``requestPayment(method, params)`` when a request comes.
``src`` empty → the loader's default (real Toss); a path or URL → that script (the sandbox).
A relative ``src`` is resolved against the Reflex backend's URL.

Example::

    class Checkout(rx.State):
        request: dict = {}

        def pay(self):
            self.request = {"method": "카드", "amount": 15000, "orderId": "ord_x1y2z3",
                            "orderName": "텀블러", "successUrl": ".../success", "failUrl": ".../fail"}

        def window_failed(self, error: dict):
            self.request = {}
            return rx.toast.error(error["message"])

    toss_payment_window(client_key="test_ck_…", request=Checkout.request,
                        on_error=Checkout.window_failed)

The window opens once per ``orderId`` (remembered in sessionStorage: React StrictMode runs
effects twice, and state outlives the page), so use a fresh orderId for every attempt.
Rejections (``USER_CANCEL``, ``INVALID_PARAMETER``, a script that fails to load, …) reach
``on_error`` as ``{code, message, orderId}``. Only the client key ever reaches the browser.
"""

from __future__ import annotations

from typing import Any

from reflex_base.event import EventChain, EventHandler, passthrough_event_spec
from reflex_base.utils.format import format_prop, wrap
from reflex_base.utils.imports import ImportVar
from reflex_base.vars.base import Var
from reflex_components_core.base.fragment import Fragment

LOADER = "@tosspayments/payment-sdk@1.9.3"


class TossPaymentWindow(Fragment):
    """Renders nothing; opens the payment window whenever ``request`` gets a new orderId."""

    client_key: Var[str]
    request: Var[dict[str, Any]]
    sdk_src: Var[str]
    # Reflex declares an event trigger's arguments with a call in the annotation, read at runtime.
    on_error: EventHandler[passthrough_event_spec(dict[str, Any])]  # type: ignore[type-arg, valid-type]

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "client_key", "request", "sdk_src", "on_error"]

    def add_imports(self) -> dict[str, Any]:
        return {
            LOADER: ImportVar(tag="loadTossPayments"),
            "react": ImportVar(tag="useEffect"),
            "$/utils/state": ImportVar(tag="getBackendURL"),
        }

    def add_hooks(self) -> list[str | Var]:
        on_error = self.event_triggers.get("on_error")
        if isinstance(on_error, EventChain):
            on_error = wrap(str(format_prop(on_error)).strip("{}"), "(")
        report = f"({on_error!s})" if on_error is not None else "(() => {})"
        request = str(self.request) if self.request is not None else "null"
        src = str(self.sdk_src) if self.sdk_src is not None else '""'
        options = "(src ? { src: new URL(src, getBackendURL()).toString() } : {})"
        # The script loads when the page shows, as Toss advises, so that a click waits only for
        # the server's order; the loader caches it (and forgets a failure: the click retries it
        # and reports that).
        preload = f"""
useEffect(() => {{
  const src = {src};
  if ({self.client_key!s}) loadTossPayments({self.client_key!s}, {options}).catch(() => {{}});
}}, [{self.client_key!s}, {src}]);"""
        hook = f"""
useEffect(() => {{
  const request = {request};
  if (!request || !request.orderId) return;
  const once = "toss-window:" + request.orderId;
  if (window.sessionStorage.getItem(once)) return;
  window.sessionStorage.setItem(once, "1");
  const {{ method, ...params }} = request;
  const src = {src};
  loadTossPayments({self.client_key!s}, {options})
    .then((toss) => toss.requestPayment(method || "카드", params))
    .catch((error) => {report}({{
      code: String(error?.code ?? error?.name ?? "UNKNOWN_ERROR"),
      message: String(error?.message ?? error),
      orderId: request.orderId,
    }}));
}}, [{request}]);"""
        return [Var(preload, _var_type=str), Var(hook, _var_type=str)]


toss_payment_window = TossPaymentWindow.create
