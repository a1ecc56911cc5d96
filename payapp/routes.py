"""Every page route of the shop, in one place: no route string appears twice in the code."""

INDEX = "/"
LOGIN = "/login"
SIGNUP = "/signup"
ORDERS = "/orders"
# Toss redirects the buyer here after the payment window (successUrl / failUrl).
SUCCESS = "/success"
FAIL = "/fail"
ADMIN_PAYMENTS = "/admin/payments"
