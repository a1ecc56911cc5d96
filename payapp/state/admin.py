"""The admin: the payments list (filters in the URL, keyset pages of 50, stats, chart, CSV)
and one payment (fields, timeline, raw Toss answer, refunds, Toss와 동기화)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from payapp import routes
from payapp.formatting import kst, status_color, status_label, won
from payapp.models import EventSource, PaymentStatus, Role
from payapp.services import admin, downloads
from payapp.services.errors import ServiceError
from payapp.services.payments import parse_amount
from payapp.services.wiring import payment_service
from payapp.state.auth import AuthState
from payapp.store.redis import get_redis

CSV_PATH = "/v1/admin/payments.csv"
STATUS_CHOICES = [(s.value, status_label(s.value)) for s in PaymentStatus
                  if s not in (PaymentStatus.READY, PaymentStatus.WAITING_FOR_DEPOSIT)]


def row_of(r: admin.AdminPaymentRow) -> dict[str, str]:
    return {"orderId": r.orderId, "orderName": r.orderName, "buyer": r.buyerEmail, "amount": won(r.amount),
            "balance": won(r.balanceAmount), "method": r.method or "-", "status": r.status,
            "statusLabel": status_label(r.status), "statusColor": status_color(r.status),
            "approvedAt": kst(r.approvedAt), "href": routes.admin_payment(r.orderId)}


def list_url(query: dict[str, str]) -> str:
    """/admin/payments with the filters that are set, e.g. ``?status=DONE&q=텀블러``."""
    query = {k: v for k, v in query.items() if v}
    return routes.ADMIN_PAYMENTS + (f"?{urlencode(query)}" if query else "")


class AdminListState(rx.State):
    rows: list[dict[str, str]] = []
    count: int = 0
    count_capped: bool = False
    next_cursor: str = ""
    cursors: list[str] = []  # the cursor of each page after the first one, in the order visited
    # The filter as the URL says (what the table shows); the form's inputs start from these.
    statuses: list[str] = []
    date_from: str = ""
    date_to: str = ""
    q: str = ""
    by_status: list[dict[str, Any]] = []  # the chips: each status with its facet count
    status_counts: list[dict[str, str]] = []  # 상태별 건수: today / last 7 days / the filter
    revenue: dict[str, str] = {}
    daily: list[dict[str, Any]] = []
    error: str = ""
    loading: bool = False
    # The filter load() read from the URL: paging and the CSV use this, never the form's inputs.
    _applied: dict[str, str] = {}

    def _filters(self) -> admin.AdminFilters:
        return admin.AdminFilters.from_query(self._applied)

    @rx.event
    async def load(self):
        """on_load: the filters come from the URL, so a filtered view can be shared as a link."""
        query = self.router.url.query_parameters
        self._applied = {k: query.get(k, "") for k in ("status", "from", "to", "q")}
        self.statuses = [s for s in self._applied["status"].split(",") if s]
        self.date_from, self.date_to, self.q = self._applied["from"], self._applied["to"], self._applied["q"]
        self.cursors, self.error = [], ""
        await self._fetch(None, with_stats=True)

    async def _fetch(self, cursor: str | None, with_stats: bool = False) -> None:
        user = await (await self.get_state(AuthState)).current_user()
        if user is None or user.role != Role.ADMIN:
            return
        self.loading = True
        try:
            filters = self._filters()
            page = await admin.list_payments(filters, cursor)
            if with_stats:
                self._show_stats(await admin.stats(filters))
        except ServiceError as err:
            self.error, self.rows = err.message, []
            return
        finally:
            self.loading = False
        self.rows = [row_of(r) for r in page.data]
        self.count, self.count_capped = page.count, page.countCapped
        self.next_cursor = page.nextCursor or ""

    def _show_stats(self, stats: admin.AdminStats) -> None:
        self.by_status = [{"status": s, "label": label, "count": stats.statusFacets.get(s, 0),
                           "color": status_color(s)} for s, label in STATUS_CHOICES]
        windows, choices = stats.statusCounts, {s for s, _ in STATUS_CHOICES}
        shown = [s for s in PaymentStatus if s in choices  # and any other status that has payments
                 or windows.today.get(s) or windows.last7Days.get(s) or windows.filter.get(s)]
        columns = {"today": windows.today, "week": windows.last7Days, "filter": windows.filter}
        self.status_counts = [
            *({"status": s, "label": status_label(s), "color": status_color(s),
               **{key: f"{counts.get(s, 0):,}" for key, counts in columns.items()}} for s in shown),
            {"status": "", "label": "합계", "color": "gray",
             **{key: f"{sum(counts.values()):,}" for key, counts in columns.items()}}]
        self.revenue = {"today": won(stats.revenue.today), "week": won(stats.revenue.last7Days),
                        "filter": won(stats.revenue.filter)}
        self.daily = [{"day": d.date.strftime("%m-%d"), "revenue": d.revenue, "count": d.count}
                      for d in stats.daily]

    @rx.event
    def toggle_status(self, status: str):
        """A status chip applies at once: the URL gets the new status set, the rest as it was."""
        chosen = [s for s in self._applied.get("status", "").split(",") if s]
        chosen = [s for s in chosen if s != status] if status in chosen else [*chosen, status]
        return rx.redirect(list_url({**self._applied, "status": ",".join(sorted(chosen))}))

    @rx.event
    def apply(self, form: dict):
        """Put the filters into the URL; on_load then reads them back (and the link can be shared)."""
        return rx.redirect(list_url({"status": self._applied.get("status", ""), "from": form.get("from", ""),
                                     "to": form.get("to", ""), "q": form.get("q", "").strip()}))

    @rx.event
    def reset_filters(self):
        return rx.redirect(routes.ADMIN_PAYMENTS)

    @rx.event
    async def next_page(self):
        if self.next_cursor:
            self.cursors = [*self.cursors, self.next_cursor]
            await self._fetch(self.next_cursor)

    @rx.event
    async def previous_page(self):
        if self.cursors:
            self.cursors = self.cursors[:-1]
            await self._fetch(self.cursors[-1] if self.cursors else None)

    @rx.event
    async def export_csv(self):
        """Stream the CSV of the filter the table shows: a one-time ticket lets the browser's GET in."""
        user = await (await self.get_state(AuthState)).current_user()
        if user is None or user.role != Role.ADMIN:
            return
        ticket = await downloads.issue(get_redis(), user.id, "payments.csv")
        query = {**self._filters().to_query(), "ticket": ticket}
        path = f"{CSV_PATH}?{urlencode(query)}"
        # getBackendURL lives in Reflex's state.js, where call_script's code runs.
        return rx.call_script(f"window.location.href = new URL({json.dumps(path)}, getBackendURL()).toString()")


class AdminPaymentState(rx.State):
    detail: dict[str, Any] = {}
    events: list[dict[str, str]] = []
    raw_json: str = ""
    balance: int = 0
    error: str = ""
    busy: bool = False
    partial_open: bool = False  # the 부분 환불 form
    full_open: bool = False  # the 전액 환불 alert dialog (its form)
    confirm_open: bool = False  # "정말 N원을 환불할까요?" after the 부분 환불 form
    pending_amount: int = 0  # the partial refund waiting for that confirmation
    pending_reason: str = ""
    _pending_order: str = ""  # ...and the payment it is for

    @rx.var
    def order_id(self) -> str:
        return self.router.url.query_parameters.get("orderId", "")

    @rx.var
    def pending_won(self) -> str:
        return won(self.pending_amount)

    @rx.var
    def refundable(self) -> bool:
        return self.detail.get("status") in (PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED)

    @rx.event
    async def load(self):
        user = await (await self.get_state(AuthState)).current_user()
        if user is None or user.role != Role.ADMIN:
            return
        self._forget_pending()
        self.partial_open = self.full_open = False
        try:
            d = await admin.payment_detail(self.order_id)
        except ServiceError as err:
            self.error, self.detail, self.events = err.message, {}, []
            return
        self.error = ""
        self.balance = d.balanceAmount
        self.detail = {**row_of(d), "paymentKey": d.paymentKey or "-", "createdAt": kst(d.createdAt),
                       "updatedAt": kst(d.updatedAt), "failure": f"{d.failureCode}: {d.failureMessage}"
                       if d.failureCode else "-", "items": ", ".join(f"{i['name']} × {i['quantity']}"
                                                                     for i in d.items) or d.orderName,
                       "balanceNumber": str(d.balanceAmount)}
        self.events = [{"at": kst(e.at), "from": status_label(e.fromStatus) if e.fromStatus else "—",
                        "to": status_label(e.toStatus), "toColor": status_color(e.toStatus), "source": e.source,
                        "detail": json.dumps(e.detail, ensure_ascii=False) if e.detail else ""} for e in d.events]
        self.raw_json = json.dumps(d.raw, ensure_ascii=False, indent=2) if d.raw else "(아직 없음)"

    async def _admin(self):
        user = await (await self.get_state(AuthState)).current_user()
        if user is None or user.role != Role.ADMIN:
            raise ServiceError("FORBIDDEN", "관리자 권한이 필요합니다.", 403)
        return user

    @rx.event
    def set_partial_open(self, value: bool):
        self.partial_open = value

    @rx.event
    def set_full_open(self, value: bool):
        self.full_open = value

    @rx.event
    def set_confirm_open(self, value: bool):
        """Closing the confirmation (취소, Escape) drops the pending partial refund."""
        if not value:
            self._forget_pending()

    def _forget_pending(self) -> None:
        self.confirm_open, self.pending_amount, self.pending_reason, self._pending_order = False, 0, "", ""

    @rx.event
    async def refund(self, form: dict):
        """전액 환불: its alert dialog was the confirmation; the service refunds what is left."""
        return await self._refund(None, form.get("reason", ""))

    @rx.event
    def review_partial(self, form: dict):
        """The 부분 환불 form: check the amount against the balance shown, then ask to confirm it."""
        try:
            amount = parse_amount(form.get("amount"))
        except ServiceError as err:
            return rx.toast.error(f"{err.message} ({err.code})")
        reason = str(form.get("reason", "")).strip()
        if amount < 1:
            return rx.toast.error("환불 금액은 1원 이상입니다. (INVALID_REQUEST)")
        if amount > self.balance:  # the service checks again, against the payment as it is then
            return rx.toast.error(f"환불 금액이 남은 금액({won(self.balance)})을 초과합니다. "
                                  "(CANCEL_AMOUNT_EXCEEDS_BALANCE)")
        if not reason:
            return rx.toast.error("환불 사유를 입력하세요. (INVALID_REQUEST)")
        self.pending_amount, self.pending_reason, self._pending_order = amount, reason, self.order_id
        self.partial_open, self.confirm_open = False, True

    @rx.event
    async def confirm_partial(self):
        """환불하기 in the confirmation: send the partial refund that was reviewed, once."""
        amount, reason, order_id = self.pending_amount, self.pending_reason, self._pending_order
        if amount < 1 or order_id != self.order_id:  # a second click, or another payment's page
            self._forget_pending()
            return None
        try:
            return await self._refund(amount, reason)
        finally:
            self._forget_pending()

    async def _refund(self, amount: int | None, reason: str):
        """Refund ``amount`` (None: all that is left); the service re-checks role and balance."""
        self.busy = True
        try:
            user = await self._admin()
            view = await payment_service().cancel(user, self.order_id, reason, amount)
        except ServiceError as err:
            return rx.toast.error(f"{err.message} ({err.code})")
        finally:
            self.busy = False
        await self.load()
        return rx.toast.success(f"환불했습니다. 남은 금액 {won(view.balanceAmount)}")

    @rx.event
    async def sync(self):
        self.busy = True
        try:
            await self._admin()
            view = await payment_service().settle(self.order_id, EventSource.ADMIN)
        except ServiceError as err:
            return rx.toast.error(f"{err.message} ({err.code})")
        finally:
            self.busy = False
        await self.load()
        return rx.toast.success(f"Toss와 동기화했습니다: {status_label(view.status)}")
