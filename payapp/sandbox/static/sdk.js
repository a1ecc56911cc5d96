/*
 * payapp Toss sandbox: a stand-in for the TossPayments browser SDK.
 * Defines window.TossPayments(clientKey) with the v1 surface requestPayment(method, params)
 * and the v2 surface payment({customerKey}).requestPayment({...}); the payment window
 * it opens is the sandbox's own page, in an overlay iframe (default) or the whole tab.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var src = (script && script.src) || "";
  var BASE = src.replace(/\/(_sandbox\/sdk\.js|js\/v1|js\/v2\/standard)([?#].*)?$/, "");
  var ORIGIN = BASE ? new URL(BASE, location.href).origin : location.origin;
  var ORDER_ID = /^[A-Za-z0-9_=-]{6,64}$/;
  var METHODS = ["카드", "CARD", "계좌이체", "TRANSFER", "휴대폰", "MOBILE_PHONE", "토스페이", "토스결제",
    "TOSSPAY", "문화상품권", "CULTURE_GIFT_CERTIFICATE", "도서문화상품권", "BOOK_GIFT_CERTIFICATE",
    "게임문화상품권", "GAME_GIFT_CERTIFICATE"];
  var open = null; // the window on screen: {overlay, iframe, listener, reject}

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

  function invalid(message) { return error("INVALID_PARAMETER", message); }

  function validate(method, p) {
    if (!p || typeof p !== "object") { return invalid("결제 정보가 없습니다."); }
    if (METHODS.indexOf(method) < 0) { return invalid("지원하지 않는 결제수단입니다: " + method); }
    if (typeof p.amount !== "number" || !isFinite(p.amount) || Math.floor(p.amount) !== p.amount || p.amount <= 0) {
      return invalid("amount는 0보다 큰 정수(number)여야 합니다.");
    }
    if (typeof p.orderId !== "string" || !ORDER_ID.test(p.orderId)) {
      return invalid("orderId는 영문 대소문자, 숫자, 특수문자 -, _, = 로 이루어진 6자 이상 64자 이하의 문자열이어야 합니다.");
    }
    if (typeof p.orderName !== "string" || p.orderName.length < 1 || p.orderName.length > 100) {
      return invalid("orderName은 1자 이상 100자 이하의 문자열이어야 합니다.");
    }
    var hasSuccess = p.successUrl != null, hasFail = p.failUrl != null;
    if (hasSuccess !== hasFail) { return invalid("successUrl과 failUrl은 함께 전달해야 합니다."); }
    if (hasSuccess && !isAbsolute(p.successUrl)) { return invalid("successUrl은 http(s)로 시작하는 절대 URL이어야 합니다."); }
    if (hasFail && !isAbsolute(p.failUrl)) { return invalid("failUrl은 http(s)로 시작하는 절대 URL이어야 합니다."); }
    if (p.customerName != null && (typeof p.customerName !== "string" || p.customerName.length > 100)) {
      return invalid("customerName은 100자 이하의 문자열이어야 합니다.");
    }
    if (p.customerEmail != null && (typeof p.customerEmail !== "string" || p.customerEmail.length > 100)) {
      return invalid("customerEmail은 100자 이하의 문자열이어야 합니다.");
    }
    if (p.windowTarget != null && p.windowTarget !== "iframe" && p.windowTarget !== "self") {
      return invalid("windowTarget은 'iframe' 또는 'self'여야 합니다.");
    }
    return null;
  }

  function close() {
    if (open) { open.overlay.remove(); window.removeEventListener("message", open.listener); open = null; }
  }

  // cancelPayment()/destroy() or a second requestPayment took the window away: the first
  // promise must still settle, or a shop awaiting it hangs. (Toss's v2 calls this
  // PaymentRequestAbortedError; its code string is not documented.)
  function abort() {
    var pending = open;
    close();
    if (pending) {
      pending.reject(error("PAYMENT_REQUEST_ABORTED", "결제 요청이 중단되었습니다.", { name: "PaymentRequestAbortedError" }));
    }
  }

  function windowUrl(clientKey, method, p, target, promiseMode) {
    var q = new URLSearchParams();
    q.set("clientKey", clientKey);
    q.set("method", method);
    q.set("amount", String(p.amount));
    q.set("orderId", p.orderId);
    q.set("orderName", p.orderName);
    ["successUrl", "failUrl", "customerName", "customerEmail"].forEach(function (k) {
      if (p[k] != null) { q.set(k, p[k]); }
    });
    q.set("target", target);
    if (promiseMode) { q.set("mode", "promise"); }
    return BASE + "/_sandbox/window?" + q.toString();
  }

  function request(clientKey, method, p, version) {
    var problem = validate(method, p);
    if (problem) { return Promise.reject(problem); }
    var promiseMode = p.successUrl == null;
    if (p.windowTarget === "self" && !promiseMode) {
      location.href = windowUrl(clientKey, method, p, "self", false);
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
      iframe.src = windowUrl(clientKey, method, p, "iframe", promiseMode);
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
          if (msg.ok) {
            // RequestPaymentResult of the types: exactly these three fields.
            resolve({ paymentKey: msg.paymentKey, orderId: msg.orderId,
              amount: version === 2 ? { currency: "KRW", value: msg.amount } : msg.amount });
          } else {
            reject(error(msg.code, msg.message, { orderId: msg.orderId }));
          }
        }
      };
      window.addEventListener("message", listener);
      open = { overlay: overlay, iframe: iframe, listener: listener, reject: reject };
      document.body.appendChild(overlay);
    });
  }

  function notSupported(what) {
    return Promise.reject(error("NOT_SUPPORTED_METHOD", "샌드박스는 " + what + "을(를) 지원하지 않습니다."));
  }

  function TossPayments(clientKey) {
    if (typeof clientKey !== "string" || !/^(test|live)_(ck|gck)_/.test(clientKey)) {
      throw error("INVALID_CLIENT_KEY", "클라이언트 키가 올바르지 않습니다.");
    }
    return {
      // v1: requestPayment('카드', {...}) or requestPayment({...})
      requestPayment: function (method, params) {
        if (method && typeof method === "object") { params = method; method = params.method || "카드"; }
        return request(clientKey, method, params, 1);
      },
      requestBillingAuth: function () { return notSupported("자동결제(빌링)"); },
      cancelPayment: abort,
      // v2: payment({customerKey}).requestPayment({method, amount: {currency, value}, ...})
      payment: function (options) {
        var ck = options && options.customerKey;
        if (typeof ck !== "string" || !(ck === "@@ANONYMOUS" || /^[A-Za-z0-9\-_=.@]{2,50}$/.test(ck))) {
          throw error("INVALID_CUSTOMER_KEY", "customerKey는 영문 대소문자, 숫자, 특수문자 -, _, =, ., @ 로 이루어진 2자 이상 50자 이하의 문자열이어야 합니다.");
        }
        return {
          requestPayment: function (req) {
            req = req || {};
            var amount = req.amount;
            if (!amount || typeof amount !== "object" || amount.currency !== "KRW") {
              return Promise.reject(invalid("amount는 {currency: 'KRW', value} 형식이어야 합니다."));
            }
            var p = {};
            for (var k in req) { p[k] = req[k]; }
            p.amount = amount.value;
            return request(clientKey, req.method || "CARD", p, 2);
          },
          requestBillingAuth: function () { return notSupported("자동결제(빌링)"); },
          destroy: abort
        };
      },
      widgets: function () { throw error("NOT_SUPPORTED_API_INDIVIDUAL_KEY", "샌드박스는 결제위젯을 지원하지 않습니다."); },
      brandpay: function () { throw error("NOT_SUPPORTED_METHOD", "샌드박스는 브랜드페이를 지원하지 않습니다."); }
    };
  }
  TossPayments.ANONYMOUS = "@@ANONYMOUS";
  window.TossPayments = TossPayments;
})();
