/*
 * payapp Toss sandbox: a stand-in for the TossPayments browser SDK (v1 and v2).
 *
 * window.TossPayments(clientKey) with the v1 surface requestPayment(method, params),
 * requestBillingAuth(method, params), cancelPayment(), and the v2 surface
 * payment({customerKey}) {requestPayment, requestBillingAuth, destroy} and
 * widgets({customerKey}) {setAmount, renderPaymentMethods, renderAgreement, requestPayment,
 * renderPaymentWindow, requestPaymentWindow}; window.PaymentWidget(clientKey, customerKey) for
 * the v1 widget. The payment window it opens is the sandbox's own page, in an overlay iframe
 * (default) or the whole tab. The sandbox writes its own base URL into SERVED when it serves
 * this file, so a copy served in place of Toss's URL still talks to the sandbox.
 */
(function () {
  "use strict";
  var SERVED = __SANDBOX__; // {base, fixed}: written by the sandbox that served this script
  var script = document.currentScript;
  var src = (script && script.src) || "";
  var OWN_PATH = /\/(_sandbox\/sdk\.js|js\/v1(\/payment|\/payment-widget)?|js\/v2\/standard)([?#].*)?$/;
  // Loaded from one of the sandbox's own script URLs: the URL the browser used is the best
  // base (it went through whatever proxy sits in front). Anywhere else (a copy served in
  // place of js.tosspayments.com), or with a configured public URL: the base it was served with.
  var BASE = (!SERVED.fixed && OWN_PATH.test(src)) ? src.replace(OWN_PATH, "") : (SERVED.base || location.origin);
  var ORIGIN = new URL(BASE, location.href).origin;
  var ORDER_ID = /^[A-Za-z0-9_=-]{6,64}$/;
  var CUSTOMER_KEY = /^[A-Za-z0-9\-_=.@]{2,50}$/;
  var PHONE = /^\d{8,15}$/;
  var ANONYMOUS = "@@ANONYMOUS";
  var V1_METHODS = ["카드", "CARD", "가상계좌", "VIRTUAL_ACCOUNT", "계좌이체", "TRANSFER", "휴대폰", "MOBILE_PHONE",
    "토스페이", "토스결제", "TOSSPAY", "문화상품권", "CULTURE_GIFT_CERTIFICATE", "도서문화상품권",
    "BOOK_GIFT_CERTIFICATE", "게임문화상품권", "GAME_GIFT_CERTIFICATE"];
  var V2_METHODS = ["CARD", "VIRTUAL_ACCOUNT", "TRANSFER", "MOBILE_PHONE", "CULTURE_GIFT_CERTIFICATE",
    "BOOK_GIFT_CERTIFICATE", "GAME_GIFT_CERTIFICATE"];
  // The 결제위젯's methods, in the order drawn; the first is pre-selected.
  var WIDGET_METHODS = [["CARD", "카드"], ["TRANSFER", "계좌이체"], ["VIRTUAL_ACCOUNT", "가상계좌"],
    ["MOBILE_PHONE", "휴대폰"], ["TOSSPAY", "토스페이"]];
  var BASE_FIELDS = ["method", "amount", "orderId", "orderName", "successUrl", "failUrl", "customerName",
    "customerEmail", "windowTarget"];
  var open = null; // the window on screen: {overlay, iframe, listener, reject}
  var seq = 0;

  function error(code, message, extra) {
    var e = new Error(message);
    e.name = "TossPaymentsError";
    e.code = code;
    if (extra) { for (var k in extra) { e[k] = extra[k]; } }
    return e;
  }

  function isAbsolute(url) {
    try { var u = new URL(url); return u.protocol === "http:" || u.protocol === "https:"; }
    catch (e) { return false; }
  }

  function isInt(v) { return typeof v === "number" && isFinite(v) && Math.floor(v) === v; }

  // v1 reports every bad field as INVALID_PARAMETER; v2 has a code per kind of mistake.
  function codes(version) {
    return version === 1
      ? { params: "INVALID_PARAMETER", amount: "INVALID_PARAMETER", currency: "INVALID_PARAMETER",
          belowZero: "INVALID_PARAMETER", successUrl: "INVALID_PARAMETER", failUrl: "INVALID_PARAMETER",
          metadata: "INVALID_PARAMETER", method: "INVALID_PARAMETER" }
      : { params: "INVALID_PARAMETERS", amount: "INVALID_AMOUNT_VALUE", currency: "INVALID_AMOUNT_CURRENCY",
          belowZero: "BELOW_ZERO_AMOUNT", successUrl: "INCORRECT_SUCCESS_URL_FORMAT",
          failUrl: "INCORRECT_FAIL_URL_FORMAT", metadata: "INVALID_METADATA", method: "NOT_SUPPORTED_METHOD" };
  }

  function checkMetadata(m) {
    if (m == null) { return true; }
    if (typeof m !== "object" || Array.isArray(m)) { return false; }
    var keys = Object.keys(m);
    if (keys.length > 5) { return false; }
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i], v = m[k];
      if (k.length > 40 || /[\[\]]/.test(k) || v == null || typeof v === "object" || String(v).length > 2000) {
        return false;
      }
    }
    return true;
  }

  // The fields every request shares; `p.amount` is a number here (v2's {value} unwrapped).
  function validate(p, version) {
    var c = codes(version);
    if (!p || typeof p !== "object") { return error(c.params, "결제 정보가 없습니다."); }
    if (!isInt(p.amount)) { return error(c.amount, "amount는 0보다 큰 정수(number)여야 합니다."); }
    if (p.amount <= 0) { return error(c.belowZero, "amount는 0보다 커야 합니다."); }
    if (typeof p.orderId !== "string" || !ORDER_ID.test(p.orderId)) {
      return error(c.params, "orderId는 영문 대소문자, 숫자, 특수문자 -, _, = 로 이루어진 6자 이상 64자 이하의 문자열이어야 합니다.");
    }
    if (typeof p.orderName !== "string" || p.orderName.length < 1 || p.orderName.length > 100) {
      return error(c.params, "orderName은 1자 이상 100자 이하의 문자열이어야 합니다.");
    }
    var urls = validateUrls(p, c);
    if (urls) { return urls; }
    var named = validateCustomer(p, c);
    if (named) { return named; }
    if (p.customerMobilePhone != null && (typeof p.customerMobilePhone !== "string" || !PHONE.test(p.customerMobilePhone))) {
      return error(c.params, "customerMobilePhone은 - 없이 숫자 8자 이상 15자 이하여야 합니다.");
    }
    if (p.taxFreeAmount != null && (!isInt(p.taxFreeAmount) || p.taxFreeAmount < 0 || p.taxFreeAmount > p.amount)) {
      return error(c.params, "taxFreeAmount는 0 이상 결제 금액 이하의 정수여야 합니다.");
    }
    if (!checkMetadata(p.metadata)) {
      return error(c.metadata, "metadata는 최대 5개의 키-값 쌍이며, 키는 [, ]가 없는 40자 이하, 값은 2000자 이하입니다.");
    }
    return null;
  }

  function validateUrls(p, c) {
    var hasSuccess = p.successUrl != null, hasFail = p.failUrl != null;
    if (hasSuccess !== hasFail) { return error(c.params, "successUrl과 failUrl은 함께 전달해야 합니다."); }
    if (hasSuccess && !isAbsolute(p.successUrl)) { return error(c.successUrl, "successUrl은 http(s)로 시작하는 절대 URL이어야 합니다."); }
    if (hasFail && !isAbsolute(p.failUrl)) { return error(c.failUrl, "failUrl은 http(s)로 시작하는 절대 URL이어야 합니다."); }
    if (p.windowTarget != null && p.windowTarget !== "iframe" && p.windowTarget !== "self") {
      return error(c.params, "windowTarget은 'iframe' 또는 'self'여야 합니다.");
    }
    return null;
  }

  function validateCustomer(p, c) {
    if (p.customerName != null && (typeof p.customerName !== "string" || p.customerName.length > 100)) {
      return error(c.params, "customerName은 100자 이하의 문자열이어야 합니다.");
    }
    if (p.customerEmail != null && (typeof p.customerEmail !== "string" || p.customerEmail.length > 100)) {
      return error(c.params, "customerEmail은 100자 이하의 문자열이어야 합니다.");
    }
    return null;
  }

  // v2's amount object: {currency: 'KRW', value: number}.
  function amountOf(amount) {
    if (!amount || typeof amount !== "object") { return error("INVALID_AMOUNT_VALUE", "amount는 {currency: 'KRW', value} 형식이어야 합니다."); }
    if (amount.currency !== "KRW") { return error("INVALID_AMOUNT_CURRENCY", "지원하지 않는 통화입니다. KRW만 사용할 수 있습니다."); }
    if (!isInt(amount.value)) { return error("INVALID_AMOUNT_VALUE", "amount.value는 정수(number)여야 합니다."); }
    if (amount.value <= 0) { return error("BELOW_ZERO_AMOUNT", "amount.value는 0보다 커야 합니다."); }
    return amount.value;
  }

  function close() {
    if (open) { open.overlay.remove(); window.removeEventListener("message", open.listener); open = null; }
  }

  // cancelPayment()/destroy() or a second request took the window away: the first promise
  // must still settle, or a shop awaiting it hangs. (Toss's v2 calls this
  // PaymentRequestAbortedError; its code string is not documented.)
  function abort() {
    var pending = open;
    close();
    if (pending) {
      pending.reject(error("PAYMENT_REQUEST_ABORTED", "결제 요청이 중단되었습니다.", { name: "PaymentRequestAbortedError" }));
    }
  }

  function query(fields) {
    var q = new URLSearchParams();
    for (var k in fields) { if (fields[k] != null) { q.set(k, String(fields[k])); } }
    return q;
  }

  function extraOf(p) {
    var extra = {}, any = false;
    for (var k in p) {
      if (BASE_FIELDS.indexOf(k) < 0 && p[k] != null && typeof p[k] !== "function") { extra[k] = p[k]; any = true; }
    }
    return any ? JSON.stringify(extra) : null;
  }

  // Open a sandbox window at `path` with `fields`; settle with `ok(msg)` or the window's error.
  function openWindow(path, fields, p, ok) {
    var promiseMode = p.successUrl == null;
    var target = p.windowTarget === "self" && !promiseMode ? "self" : "iframe";
    fields.target = target;
    if (promiseMode) { fields.mode = "promise"; }
    var url = BASE + path + "?" + query(fields).toString();
    if (target === "self") {
      location.href = url;
      return new Promise(function () {});
    }
    abort();
    return new Promise(function (resolve, reject) {
      var overlay = document.createElement("div");
      overlay.setAttribute("data-toss-sandbox", "overlay");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.45);" +
        "display:flex;align-items:center;justify-content:center";
      var iframe = document.createElement("iframe");
      iframe.title = "토스페이먼츠 결제창 (샌드박스)";
      iframe.setAttribute("data-toss-sandbox", "window");
      iframe.style.cssText = "width:min(420px,100vw);height:min(640px,100vh);border:0;border-radius:16px;background:#fff";
      iframe.src = url;
      overlay.appendChild(iframe);
      var listener = function (event) {
        if (event.origin !== ORIGIN || event.source !== iframe.contentWindow) { return; }
        var msg = event.data || {};
        if (msg.type === "tosssandbox:close") {
          close();
          reject(error("USER_CANCEL", "사용자가 결제를 취소하였습니다.", { orderId: p.orderId }));
        } else if (msg.type === "tosssandbox:redirect") {
          location.href = msg.url;
        } else if (msg.type === "tosssandbox:result") {
          close();
          if (msg.ok) { resolve(ok(msg)); }
          else { reject(error(msg.code, msg.message, { orderId: msg.orderId })); }
        }
      };
      window.addEventListener("message", listener);
      open = { overlay: overlay, iframe: iframe, listener: listener, reject: reject };
      document.body.appendChild(overlay);
    });
  }

  // A payment window: p.amount is a number; `integration` tells the sandbox which key family.
  function pay(clientKey, method, p, version, integration) {
    var fields = { clientKey: clientKey, method: method, amount: p.amount, orderId: p.orderId, orderName: p.orderName,
      successUrl: p.successUrl, failUrl: p.failUrl, customerName: p.customerName, customerEmail: p.customerEmail,
      integration: integration, extra: extraOf(p) };
    return openWindow("/_sandbox/window", fields, p, function (msg) {
      // Exactly the result fields of the types: v1 amount is a number, v2 an object.
      var result = { paymentKey: msg.paymentKey, orderId: msg.orderId,
        amount: version === 1 ? msg.amount : { currency: "KRW", value: msg.amount } };
      return integration.indexOf("widget") === 0 ? { paymentType: "NORMAL", paymentKey: result.paymentKey,
        orderId: result.orderId, amount: result.amount } : result;
    });
  }

  function billingAuth(clientKey, customerKey, method, p, version) {
    var c = codes(version);
    if (!p || typeof p !== "object") { return Promise.reject(error(c.params, "결제 정보가 없습니다.")); }
    if (customerKey === ANONYMOUS || typeof customerKey !== "string" || !CUSTOMER_KEY.test(customerKey)) {
      return Promise.reject(error(version === 1 ? c.params : "INVALID_CUSTOMER_KEY", "자동결제에는 구매자의 customerKey가 필요합니다."));
    }
    if (["CARD", "카드", "TRANSFER", "계좌이체"].indexOf(method) < 0) {
      return Promise.reject(error(c.method, "자동결제는 CARD 또는 TRANSFER만 지원합니다: " + method));
    }
    var problem = validateUrls(p, c) || validateCustomer(p, c);
    if (problem) { return Promise.reject(problem); }
    var fields = { clientKey: clientKey, customerKey: customerKey, method: method, successUrl: p.successUrl,
      failUrl: p.failUrl, customerName: p.customerName, customerEmail: p.customerEmail };
    return openWindow("/_sandbox/billing/window", fields, p, function (msg) {
      return { authKey: msg.authKey, customerKey: msg.customerKey };
    });
  }

  function checkCustomerKey(ck) {
    if (typeof ck === "string" && /_(sk|gsk)_/.test(ck)) {
      throw error("INSECURE_KEY_USAGE", "customerKey에 시크릿 키를 사용할 수 없습니다.");
    }
    if (typeof ck !== "string" || !(ck === ANONYMOUS || CUSTOMER_KEY.test(ck))) {
      throw error("INVALID_CUSTOMER_KEY", "customerKey는 영문 대소문자, 숫자, 특수문자 -, _, =, ., @ 로 이루어진 2자 이상 50자 이하의 문자열이어야 합니다.");
    }
  }

  function isWidgetKey(key) { return /^(test|live)_gck_/.test(key); }

  function v2Request(req) {
    if (!req || typeof req !== "object") { return error("INVALID_PARAMETERS", "결제 정보가 없습니다."); }
    var value = amountOf(req.amount);
    if (typeof value !== "number") { return value; }
    var p = {};
    for (var k in req) { p[k] = req[k]; }
    p.amount = value;
    return validate(p, 2) || p;
  }

  function payment(clientKey, options) {
    if (isWidgetKey(clientKey)) {
      throw error("NOT_SUPPORTED_WIDGET_KEY", "결제위젯 연동 키로는 결제창을 사용할 수 없습니다. API 개별 연동 키를 사용하세요.");
    }
    var customerKey = options && options.customerKey;
    checkCustomerKey(customerKey);
    return {
      requestPayment: function (req) {
        if (req && req.method === "FOREIGN_EASY_PAY") {
          return Promise.reject(error("NOT_SUPPORTED_METHOD", "샌드박스는 해외간편결제를 지원하지 않습니다."));
        }
        if (req && req.method != null && V2_METHODS.indexOf(req.method) < 0) {
          return Promise.reject(error("INVALID_PARAMETERS", "지원하지 않는 결제수단입니다: " + req.method));
        }
        var p = v2Request(req);
        if (p instanceof Error) { return Promise.reject(p); }
        if (req.method == null) { return Promise.reject(error("INVALID_PARAMETERS", "method는 필수입니다.")); }
        if (customerKey !== ANONYMOUS) { p.customerKey = customerKey; }
        return pay(clientKey, req.method, p, 2, "payment");
      },
      requestBillingAuth: function (req) {
        return billingAuth(clientKey, customerKey, req && req.method, req, 2);
      },
      destroy: function () { abort(); return Promise.resolve(); }
    };
  }

  function TossPayments(clientKey) {
    if (typeof clientKey === "string" && /^(test|live)_(sk|gsk)_/.test(clientKey)) {
      throw error("INSECURE_KEY_USAGE", "클라이언트 키 자리에 시크릿 키를 사용할 수 없습니다.");
    }
    if (typeof clientKey !== "string" || !/^(test|live)_(ck|gck)_/.test(clientKey)) {
      throw error("INVALID_CLIENT_KEY", "클라이언트 키가 올바르지 않습니다.");
    }
    return {
      // v1: requestPayment('카드', {...}) or requestPayment({...})
      requestPayment: function (method, params) {
        if (method && typeof method === "object") { params = method; method = params.method || "카드"; }
        if (isWidgetKey(clientKey)) {
          return Promise.reject(error("NOT_SUPPORTED_WIDGET_KEY", "결제위젯 연동 키로는 결제창을 사용할 수 없습니다."));
        }
        if (V1_METHODS.indexOf(method) < 0) { return Promise.reject(error("INVALID_PARAMETER", "지원하지 않는 결제수단입니다: " + method)); }
        var problem = validate(params, 1);
        if (problem) { return Promise.reject(problem); }
        return pay(clientKey, method, params, 1, "payment");
      },
      requestBillingAuth: function (method, params) {
        return billingAuth(clientKey, params && params.customerKey, method, params, 1);
      },
      cancelPayment: abort,
      payment: function (options) { return payment(clientKey, options); },
      widgets: function (options) {
        if (!isWidgetKey(clientKey)) {
          throw error("NOT_SUPPORTED_API_INDIVIDUAL_KEY", "API 개별 연동 키로는 결제위젯을 사용할 수 없습니다. 결제위젯 연동 키를 사용하세요.");
        }
        checkCustomerKey(options && options.customerKey);
        return widgets(clientKey, options.customerKey, "widget");
      },
      brandpay: function () {
        if (isWidgetKey(clientKey)) { throw error("NOT_SUPPORTED_WIDGET_KEY", "결제위젯 연동 키로는 브랜드페이를 사용할 수 없습니다."); }
        throw error("NOT_SUPPORTED_METHOD", "샌드박스는 브랜드페이를 지원하지 않습니다.");
      }
    };
  }
  TossPayments.ANONYMOUS = ANONYMOUS;

  /* ---- 결제위젯 ------------------------------------------------------------------ */

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) { e.setAttribute(k, attrs[k]); }
    if (text != null) { e.textContent = text; }
    return e;
  }

  function find(selector) {
    if (typeof selector !== "string") { return null; }
    try { return document.querySelector(selector); } catch (e) { return null; }
  }

  function methodList(state, name) {
    var box = el("div", { "data-toss-sandbox": "payment-methods", role: "radiogroup", "aria-label": "결제 방법" });
    box.style.cssText = "display:flex;flex-wrap:wrap;gap:8px;padding:12px 0;font-size:15px";
    WIDGET_METHODS.forEach(function (m) {
      var label = el("label", { "data-method": m[0] });
      label.style.cssText = "display:flex;align-items:center;gap:6px;border:1px solid #d1d6db;border-radius:10px;padding:10px 14px;cursor:pointer";
      var input = el("input", { type: "radio", name: name, value: m[0] });
      input.checked = state.selected === m[0];
      input.addEventListener("change", function () {
        if (!input.checked) { return; }
        state.selected = m[0];
        state.listeners.select.forEach(function (cb) { cb({ code: m[0] }); });
      });
      label.appendChild(input);
      label.appendChild(el("span", {}, m[1]));
      box.appendChild(label);
    });
    return box;
  }

  function agreementBox(state) {
    var label = el("label", { "data-toss-sandbox": "agreement" });
    label.style.cssText = "display:flex;align-items:center;gap:6px;padding:8px 0;font-size:14px";
    var input = el("input", { type: "checkbox" });
    input.checked = state.agreed;
    input.addEventListener("change", function () {
      state.agreed = input.checked;
      var status = { agreedRequiredTerms: state.agreed,
        agreements: [{ term: { id: "sandbox-terms", required: true }, agreed: state.agreed }] };
      state.listeners.agreement.forEach(function (cb) { cb(status); });
    });
    label.appendChild(input);
    label.appendChild(el("span", {}, "[필수] 결제 서비스 이용 약관, 개인정보 처리 동의"));
    return label;
  }

  function variantOk(v) { return v == null || typeof v === "string" || (typeof v === "object" && !Array.isArray(v)); }

  function widgets(clientKey, customerKey, integration) {
    var id = ++seq;
    var state = { amount: null, selected: WIDGET_METHODS[0][0], agreed: true, methods: null, agreement: null,
      paymentWindow: null, listeners: { select: [], agreement: [] } };

    function showAmount() {
      if (state.methods) {
        var note = state.methods.querySelector("[data-toss-sandbox=amount]");
        if (note) { note.textContent = "결제 금액 " + state.amount.toLocaleString("ko-KR") + "원"; }
      }
    }

    function request(req) {
      if (state.amount == null) { return Promise.reject(error("NOT_SETUP_AMOUNT", "결제 금액이 설정되지 않았습니다. setAmount()를 먼저 호출하세요.")); }
      if (!state.methods && !state.paymentWindow) {
        return Promise.reject(error("NOT_SELECTED_PAYMENT_METHOD", "결제수단이 선택되지 않았습니다. renderPaymentMethods()를 먼저 호출하세요."));
      }
      if ((state.agreement || state.paymentWindow) && !state.agreed) {
        return Promise.reject(error("NEED_AGREEMENT_WITH_REQUIRED_TERMS", "필수 약관에 동의해주세요."));
      }
      if (!req || typeof req !== "object") { return Promise.reject(error("INVALID_PARAMETERS", "결제 정보가 없습니다.")); }
      var p = {};
      for (var k in req) { if (k !== "amount") { p[k] = req[k]; } }
      p.amount = state.amount;
      var problem = validate(p, 2);
      if (problem) { return Promise.reject(problem); }
      if (customerKey !== ANONYMOUS) { p.customerKey = customerKey; }
      return pay(clientKey, state.selected, p, 2, integration);
    }

    function pickerOverlay(onPay, onCancel) {
      var overlay = el("div", { "data-toss-sandbox": "widget-window", role: "dialog", "aria-label": "결제위젯 결제창" });
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483646;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center";
      var panel = el("div");
      panel.style.cssText = "background:#fff;border-radius:16px;padding:20px;width:min(420px,100vw);box-sizing:border-box;font-family:sans-serif";
      panel.appendChild(el("h2", { style: "font-size:18px;margin:0 0 8px" }, "결제 방법"));
      panel.appendChild(methodList(state, "tosssbx-window-method-" + id));
      panel.appendChild(el("p", { "data-toss-sandbox": "amount" }, "결제 금액 " + state.amount.toLocaleString("ko-KR") + "원"));
      panel.appendChild(agreementBox(state));
      var payButton = el("button", { type: "button" }, "결제하기");
      payButton.style.cssText = "display:block;width:100%;border:0;border-radius:12px;padding:14px;margin-top:8px;background:#3182f6;color:#fff;font-size:16px";
      payButton.addEventListener("click", onPay);
      var closeButton = el("button", { type: "button", "aria-label": "닫기" }, "×");
      closeButton.style.cssText = "float:right;border:0;background:none;font-size:22px;cursor:pointer";
      closeButton.addEventListener("click", function () { overlay.remove(); state.paymentWindow = null; onCancel(); });
      panel.insertBefore(closeButton, panel.firstChild);
      panel.appendChild(payButton);
      overlay.appendChild(panel);
      document.body.appendChild(overlay);
      return overlay;
    }

    return {
      setAmount: function (amount) {
        var value = amountOf(amount);
        if (typeof value !== "number") { return Promise.reject(value); }
        state.amount = value;
        showAmount();
        return Promise.resolve();
      },
      renderPaymentMethods: function (params) {
        params = params || {};
        if (state.amount == null) { return Promise.reject(error("NOT_SETUP_AMOUNT", "결제 금액이 설정되지 않았습니다. setAmount()를 먼저 호출하세요.")); }
        if (state.methods) { return Promise.reject(error("PAYMENT_METHODS_WIDGET_ALREADY_RENDERED", "결제 UI가 이미 렌더링되었습니다.")); }
        if (!variantOk(params.variantKey)) { return Promise.reject(error("INVALID_VARIANT_KEY", "variantKey가 올바르지 않습니다.")); }
        var host = find(params.selector);
        if (!host) { return Promise.reject(error("INVALID_SELECTOR", "selector에 해당하는 요소를 찾을 수 없습니다.")); }
        var box = methodList(state, "tosssbx-method-" + id);
        box.appendChild(el("p", { "data-toss-sandbox": "amount", style: "width:100%;margin:4px 0 0;color:#4e5968" }));
        host.appendChild(box);
        state.methods = box;
        showAmount();
        return Promise.resolve({
          on: function (name, cb) {
            if (name !== "paymentMethodSelect") { throw error("INVALID_EVENT_PARAMETER", "지원하지 않는 이벤트입니다: " + name); }
            state.listeners.select.push(cb);
          },
          getSelectedPaymentMethod: function () { return Promise.resolve({ code: state.selected }); },
          destroy: function () { box.remove(); state.methods = null; return Promise.resolve(); }
        });
      },
      renderAgreement: function (params) {
        params = params || {};
        if (state.agreement) { return Promise.reject(error("AGREEMENT_WIDGET_ALREADY_RENDERED", "약관 UI가 이미 렌더링되었습니다.")); }
        if (!variantOk(params.variantKey)) { return Promise.reject(error("INVALID_VARIANT_KEY", "variantKey가 올바르지 않습니다.")); }
        var host = find(params.selector);
        if (!host) { return Promise.reject(error("INVALID_SELECTOR", "selector에 해당하는 요소를 찾을 수 없습니다.")); }
        var box = agreementBox(state);
        host.appendChild(box);
        state.agreement = box;
        return Promise.resolve({
          on: function (name, cb) {
            if (name !== "agreementStatusChange") { throw error("INVALID_EVENT_PARAMETER", "지원하지 않는 이벤트입니다: " + name); }
            state.listeners.agreement.push(cb);
          },
          destroy: function () { box.remove(); state.agreement = null; return Promise.resolve(); }
        });
      },
      requestPayment: request,
      renderPaymentWindow: function () {
        if (state.amount == null) { return Promise.reject(error("NOT_SETUP_AMOUNT", "결제 금액이 설정되지 않았습니다. setAmount()를 먼저 호출하세요.")); }
        if (state.paymentWindow) { return Promise.reject(error("PAYMENT_WINDOW_ALREADY_RENDERED", "결제창이 이미 렌더링되었습니다.")); }
        var handlers = { paymentRequest: [], cancel: [] };
        state.paymentWindow = pickerOverlay(function () {
          if (!handlers.paymentRequest.length) { return; }
          handlers.paymentRequest.forEach(function (cb) { cb({ paymentMethod: { code: state.selected } }); });
        }, function () { handlers.cancel.forEach(function (cb) { cb(); }); });
        return Promise.resolve({
          on: function (name, cb) {
            if (!handlers[name]) { throw error("INVALID_EVENT_PARAMETER", "지원하지 않는 이벤트입니다: " + name); }
            handlers[name].push(cb);
          },
          destroy: function () {
            if (state.paymentWindow) { state.paymentWindow.remove(); state.paymentWindow = null; }
            return Promise.resolve();
          }
        });
      },
      requestPaymentWindow: function (req) {
        if (state.amount == null && req && req.amount) {
          var value = amountOf(req.amount);
          if (typeof value !== "number") { return Promise.reject(value); }
          state.amount = value;
        }
        if (state.amount == null) { return Promise.reject(error("NOT_SETUP_AMOUNT", "결제 금액이 설정되지 않았습니다.")); }
        return new Promise(function (resolve, reject) {
          state.paymentWindow = pickerOverlay(function () {
            var shown = state.paymentWindow;
            request(req).then(resolve, reject);
            if (shown) { shown.remove(); }
            state.paymentWindow = null;
          }, function () { reject(error("USER_CANCEL", "사용자가 결제를 취소하였습니다.")); });
        });
      },
      // v1 PaymentWidget's extra: a rendered widget's amount moves with updateAmount.
      _setAmountValue: function (value) { state.amount = value; showAmount(); }
    };
  }

  // v1 결제위젯 (js.tosspayments.com/v1/payment-widget): PaymentWidget(clientKey, customerKey).
  function PaymentWidget(clientKey, customerKey) {
    if (typeof clientKey !== "string" || !/^(test|live)_(ck|gck)_/.test(clientKey)) {
      throw error("INVALID_CLIENT_KEY", "클라이언트 키가 올바르지 않습니다.");
    }
    checkCustomerKey(customerKey);
    var w = widgets(clientKey, customerKey, "widget-v1");
    function valueOf(amount) { return typeof amount === "number" ? amount : amount && amount.value; }
    return {
      renderPaymentMethods: function (selector, amount, options) {
        var value = valueOf(amount);
        if (!isInt(value) || value <= 0) { throw error("INVALID_AMOUNT_VALUE", "결제 금액이 올바르지 않습니다."); }
        w._setAmountValue(value);
        var rendered = null;
        w.renderPaymentMethods({ selector: selector, variantKey: options && options.variantKey }).then(function (r) { rendered = r; });
        return {
          updateAmount: function (next) { w._setAmountValue(valueOf(next)); },
          on: function (name, cb) { if (rendered) { rendered.on(name, cb); } },
          getSelectedPaymentMethod: function () { return rendered ? rendered.getSelectedPaymentMethod() : Promise.resolve(null); }
        };
      },
      renderAgreement: function (selector, options) {
        w.renderAgreement({ selector: selector, variantKey: options && options.variantKey });
        return { on: function () {} };
      },
      requestPayment: function (req) { return w.requestPayment(req); }
    };
  }
  PaymentWidget.ANONYMOUS = ANONYMOUS;

  window.TossPayments = TossPayments;
  window.PaymentWidget = PaymentWidget;
})();
