"""``toss_payment_widget``: Toss's 결제위젯 (payment methods, agreement and a pay button) in a page.

A reusable Reflex component with no shop logic, the widget-mode sibling of
``toss_payment_window``: give it a 결제위젯 client key (``test_gck_…``/``live_gck_…``) and an
order the server prepared, and it loads Toss's v2 script through the official npm loader
``@tosspayments/tosspayments-sdk`` (``loadTossPayments(clientKey, {src})``), then

    widgets = toss.widgets({customerKey})
    widgets.setAmount({currency: "KRW", value: order.amount})     // the server's amount, first
    widgets.renderPaymentMethods({selector, variantKey}); widgets.renderAgreement({selector, variantKey})

and its pay button calls ``widgets.requestPayment({orderId, orderName, successUrl, failUrl,
customer…})``, which redirects to successUrl (``paymentKey``, ``orderId``, ``amount``) for the
server's usual confirm. ``src`` empty → the loader's default (https://js.tosspayments.com/v2/standard);
a path or URL → that script (the sandbox's ``/js/v2/standard``); a relative one is resolved
against the Reflex backend's URL.

Example::

    class Checkout(rx.State):
        order: dict = {}   # from the server's prepare: never computed in the browser

        async def buy(self):
            prepared = await payment_service().prepare(...)
            self.order = {"orderId": prepared.orderId, "orderName": prepared.orderName,
                          "amount": prepared.amount, "customerKey": "…",
                          "successUrl": ".../success", "failUrl": ".../fail"}

        def widget_failed(self, error: dict):
            return rx.toast.error(error["message"])

    toss_payment_widget(client_key="test_gck_…", order=Checkout.order,
                        pay_label="15,000원 결제하기", on_error=Checkout.widget_failed)

The widget is drawn for each new ``orderId`` (a new order destroys the previous widget and
draws a fresh one) and nothing is drawn while ``order`` has no orderId. The amount is only
ever the order's: the component has no amount of its own. Rejections (``USER_CANCEL``,
``NEED_AGREEMENT_WITH_REQUIRED_TERMS``, ``NOT_SUPPORTED_API_INDIVIDUAL_KEY``, a script that
fails to load, …) reach ``on_error`` as ``{code, message, orderId}``; the widget stays, so the
buyer may try again. Only the client key ever reaches the browser.
"""

from __future__ import annotations

from typing import Any

from reflex_base.components.component import Component
from reflex_base.event import EventHandler, passthrough_event_spec
from reflex_base.utils.imports import ImportVar
from reflex_base.vars.base import Var

LOADER = "@tosspayments/tosspayments-sdk@2.8.1"
VIEW = "PayappTossPaymentWidget"

# A React component of its own (module-level code of the page): it keeps the live `widgets`
# object in a ref between the drawing effect and the pay button.
VIEW_JS = f"""
function {VIEW}({{ clientKey, order, sdkSrc, payLabel, variantKey, agreementVariantKey, onError, ...rest }}) {{
  const base = "toss-widget-" + useId().replace(/[^A-Za-z0-9_-]/g, "");
  const widgets = useRef(null);
  const [ready, setReady] = useState(false);
  const [paying, setPaying] = useState(false);
  const orderId = order && order.orderId ? String(order.orderId) : "";
  const report = (error) => {{
    if (onError) onError({{
      code: String(error?.code ?? error?.name ?? "UNKNOWN_ERROR"),
      message: String(error?.message ?? error),
      orderId: orderId,
    }});
  }};
  useEffect(() => {{
    if (!orderId) return;
    let cancelled = false;
    let drawn = [];
    setReady(false);
    const options = sdkSrc ? {{ src: new URL(sdkSrc, getBackendURL()).toString() }} : {{}};
    loadTossPaymentsV2(clientKey, options)
      .then(async (toss) => {{
        const w = toss.widgets({{ customerKey: order.customerKey || TOSS_ANONYMOUS }});
        await w.setAmount({{ currency: "KRW", value: Number(order.amount) }});
        if (cancelled) return;
        drawn = await Promise.all([
          w.renderPaymentMethods({{ selector: "#" + base + "-methods", variantKey: variantKey || "DEFAULT" }}),
          w.renderAgreement({{ selector: "#" + base + "-agreement", variantKey: agreementVariantKey || "AGREEMENT" }}),
        ]);
        if (cancelled) {{ drawn.forEach((d) => d?.destroy?.()); return; }}
        widgets.current = w;
        setReady(true);
      }})
      .catch((error) => {{ if (!cancelled) report(error); }});
    return () => {{
      cancelled = true;
      widgets.current = null;
      drawn.forEach((d) => d?.destroy?.());
    }};
  }}, [orderId, clientKey, sdkSrc]);
  const pay = () => {{
    const w = widgets.current;
    if (!w || paying) return;
    const {{ amount, customerKey, ...request }} = order;
    setPaying(true);
    // Success redirects to successUrl; a rejection leaves the widget for another try.
    w.requestPayment(request).catch(report).finally(() => setPaying(false));
  }};
  return createElement("div", {{ ...rest, "data-order-id": orderId }},
    createElement("div", {{ id: base + "-methods", "data-testid": "toss-payment-methods" }}),
    createElement("div", {{ id: base + "-agreement", "data-testid": "toss-agreement" }}),
    orderId ? createElement("button", {{
      type: "button", onClick: pay, disabled: !ready || paying, "aria-busy": paying,
      "data-testid": "toss-widget-pay",
      style: {{ display: "block", width: "100%", marginTop: "12px", padding: "14px", border: 0,
               borderRadius: "10px", background: ready && !paying ? "#3182f6" : "#a5c8fb", color: "#fff",
               fontSize: "16px", fontWeight: 600, cursor: ready && !paying ? "pointer" : "default" }},
    }}, payLabel || "결제하기") : null);
}}
"""


class TossPaymentWidget(Component):
    """Toss's 결제위젯 for ``order``: method list, agreement and the pay button."""

    tag = VIEW
    library = None

    client_key: Var[str]
    # {orderId, orderName, amount, successUrl, failUrl, customerKey?, customerEmail?, customerName?, …}
    order: Var[dict[str, Any]]
    sdk_src: Var[str]
    pay_label: Var[str]
    variant_key: Var[str]
    agreement_variant_key: Var[str]
    # Reflex declares an event trigger's arguments with a call in the annotation, read at runtime.
    on_error: EventHandler[passthrough_event_spec(dict[str, Any])]  # type: ignore[type-arg, valid-type]

    def add_imports(self) -> dict[str, Any]:
        return {
            # Aliased: the window component imports v1's loadTossPayments into the same module.
            LOADER: [
                ImportVar(tag="loadTossPayments", alias="loadTossPaymentsV2"),
                ImportVar(tag="ANONYMOUS", alias="TOSS_ANONYMOUS"),
            ],
            "react": [
                ImportVar(tag="useEffect"),
                ImportVar(tag="useId"),
                ImportVar(tag="useRef"),
                ImportVar(tag="useState"),
                ImportVar(tag="createElement"),
            ],
            "$/utils/state": ImportVar(tag="getBackendURL"),
        }

    def add_custom_code(self) -> list[str]:
        return [VIEW_JS]


toss_payment_widget = TossPaymentWidget.create
