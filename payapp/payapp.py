"""The Reflex app: the FastAPI API mounted beside the pages, and every page wired in one list."""

import reflex as rx

from payapp import routes
from payapp.api.app import create_api
from payapp.pages.admin import admin_payments_page
from payapp.pages.admin_payment import admin_payment_page
from payapp.pages.index import TITLE as INDEX_TITLE
from payapp.pages.index import index_page
from payapp.pages.login import login_page, signup_page
from payapp.pages.payment import fail_page, orders_page, success_page
from payapp.reconcile.runner import reconciler
from payapp.state.admin import AdminListState
from payapp.state.admin_payment import AdminPaymentState
from payapp.state.payment import OrdersState, ReceiptState
from payapp.state.shop import ShopState

# The theme is set in rxconfig.py (RadixThemesPlugin): App(theme=...) is deprecated.
app = rx.App(
    api_transformer=create_api(),
    html_lang="ko",  # Korean first: screen readers, hyphenation, fonts
    toaster=rx.toast.provider(position="top-center", rich_colors=True),
)
# Reconciliation runs in every backend worker; a Redis lease lets one of them work at a time.
app.register_lifespan_task(reconciler)

# (page, route, title, on_load): add a page here and nowhere else.
PAGES = [
    (index_page, routes.INDEX, INDEX_TITLE, ShopState.load),
    (login_page, routes.LOGIN, "로그인 · payapp", None),
    (signup_page, routes.SIGNUP, "회원가입 · payapp", None),
    (success_page, routes.SUCCESS, "결제 완료 · payapp", ReceiptState.confirm),
    (fail_page, routes.FAIL, "결제 실패 · payapp", ShopState.forget_request),
    (orders_page, routes.ORDERS, "주문내역 · payapp", OrdersState.load),
    (admin_payments_page, routes.ADMIN_PAYMENTS, "결제 관리 · payapp", AdminListState.load),
    (admin_payment_page, routes.ADMIN_PAYMENT, "결제 상세 · payapp", AdminPaymentState.load),
]

for page, route, title, on_load in PAGES:
    app.add_page(page, route=route, title=title, on_load=on_load)
