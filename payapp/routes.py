"""Every page route of the shop, in one place: no route string appears twice in the code."""

from urllib.parse import urlencode

INDEX = "/"
LOGIN = "/login"
SIGNUP = "/signup"
ORDERS = "/orders"
# Toss redirects the buyer here after the payment window (successUrl / failUrl).
SUCCESS = "/success"
FAIL = "/fail"
ADMIN_PAYMENTS = "/admin/payments"
# One payment in the admin (?orderId=…): a page of its own so that it can be linked.
ADMIN_PAYMENT = "/admin/payment"


def admin_payment(order_id: str) -> str:
    return f"{ADMIN_PAYMENT}?{urlencode({'orderId': order_id})}"
