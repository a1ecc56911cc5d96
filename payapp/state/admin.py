"""The admin payments list: filters in the URL, keyset pages of 50, stats, chart, CSV, what needs
attention (stuck payments, 거래 대사 drift), and a background re-read while rows are unsettled.
One payment's page is payapp/state/admin_payment.py."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex.event import EventSpec

from payapp import routes
from payapp.formatting import kst_text
from payapp.services import admin, downloads
from payapp.services.errors import ServiceError
from payapp.services.rows import saved_id
from payapp.state.admin_base import AdminState
from payapp.state.admin_view import list_url, row_of, stats_view
from payapp.state.watch import any_unsettled, new_watch_id, watch_rounds

CSV_PATH = "/v1/admin/payments.csv"
FILTER_KEYS = ("status", "from", "to", "q", "attention")
log = logging.getLogger(__name__)


class AdminListState(AdminState):
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
    attention: bool = False  # ?attention=1: only payments still unsettled past the alert threshold
    by_status: list[dict[str, Any]] = []  # the chips: each status with its facet count
    status_counts: list[dict[str, str]] = []  # 상태별 건수: today / last 7 days / the filter
    revenue: dict[str, str] = {}
    daily: list[dict[str, Any]] = []
    stats_note: str = ""  # set when the filter's stats are a sample (a text query matching very many)
    error: str = ""
    loading: bool = False
    # What needs an operator (the banners): stuck payments, unresolved 거래 대사 drift.
    stuck_count: int = 0
    drift_count: int = 0
    drift: list[dict[str, str]] = []
    # The filter load() read from the URL: paging and the CSV use this, never the form's inputs.
    _applied: dict[str, str] = {}
    _watch_id: str = ""  # the background re-read of the page shown ("" = none)

    def _filters(self) -> admin.AdminFilters:
        return admin.AdminFilters.from_query(self._applied)

    @rx.event
    async def load(self):
        """on_load: the filters come from the URL, so a filtered view can be shared as a link."""
        query = self.router.url.query_parameters
        self._applied = {k: query.get(k, "") for k in FILTER_KEYS}
        self.statuses = [s for s in self._applied["status"].split(",") if s]
        self.date_from, self.date_to, self.q = self._applied["from"], self._applied["to"], self._applied["q"]
        self.attention = self._applied["attention"] in ("1", "true")
        self.cursors, self.error = [], ""
        return await self._fetch(None, with_stats=True)

    async def _fetch(self, cursor: str | None, with_stats: bool = False):
        """Show a page of rows (and the stats and banners); then follow it while rows are unsettled."""
        if await self._admin_user() is None:
            return None
        self.loading = True
        try:
            filters = self._filters()
            page = await admin.list_payments(filters, cursor)
            if with_stats:
                self._show_stats(await admin.stats(filters))
                self._show_attention(await admin.attention())
        except ServiceError as err:
            self.error, self.rows = err.message, []
            return None
        finally:
            self.loading = False
        self._show_page(page)
        return self._start_watching()

    def _show_page(self, page: admin.AdminPaymentPage) -> None:
        self.rows = [row_of(r) for r in page.data]
        self.count, self.count_capped = page.count, page.countCapped
        self.next_cursor = page.nextCursor or ""

    def _show_attention(self, seen: admin.AdminAttention) -> None:
        self.stuck_count, self.drift_count = seen.stuckCount, seen.driftCount
        # An UNKNOWN_PAYMENT has no payment here to open.
        self.drift = [
            {
                "orderId": d.orderId or "-",
                "kind": d.kind,
                "foundAt": kst_text(d.foundAt),
                "href": routes.admin_payment(d.orderId) if d.orderId and d.kind != "UNKNOWN_PAYMENT" else "",
            }
            for d in seen.drift
        ]

    @rx.event
    def start_watching(self) -> EventSpec | None:
        """on_mount: the operator came back to the page (its on_load may have run before)."""
        return self._start_watching()

    def _start_watching(self) -> EventSpec | None:
        """While the page shows an unsettled payment, re-read it in the background."""
        if not any_unsettled(self.rows):
            self._watch_id = ""
            return None
        self._watch_id = new_watch_id()
        # A background handler bound to its argument: mypy cannot follow @rx.event's overloads.
        return AdminListState.watch(self._watch_id)  # type: ignore[misc]

    @rx.event
    def stop_watching(self):
        """on_unmount: the operator left the page."""
        self._watch_id = ""

    @rx.event(background=True)
    async def watch(self, watch_id: str):
        """Re-read the page shown and the banners (read only: the reconciler settles) until no row
        is unsettled; the stats too when a row changed."""
        async for _ in watch_rounds(self, watch_id):
            async with self:
                if await self._admin_user() is None:
                    return
                filters, cursor = self._filters(), self.cursors[-1] if self.cursors else None
                before = {r["orderId"]: r["status"] for r in self.rows}
            try:
                page = await admin.list_payments(filters, cursor)
                seen = await admin.attention()
                moved = any(before.get(r.orderId) != r.status for r in page.data)
                stats = await admin.stats(filters) if moved else None
            except Exception as err:  # the database may answer next round
                log.warning("re-reading the admin list: %s", err)
                continue
            async with self:
                if self._watch_id != watch_id:
                    return
                self._show_page(page)
                self._show_attention(seen)
                if stats is not None:
                    self._show_stats(stats)
                if not any_unsettled(self.rows):
                    self._watch_id = ""
                    return

    def _show_stats(self, stats: admin.AdminStats) -> None:
        for name, value in stats_view(stats).items():
            setattr(self, name, value)

    @rx.event
    def toggle_status(self, status: str):
        """A status chip applies at once: the URL gets the new status set, the rest as it was."""
        chosen = [s for s in self._applied.get("status", "").split(",") if s]
        chosen = [s for s in chosen if s != status] if status in chosen else [*chosen, status]
        return rx.redirect(list_url({**self._applied, "status": ",".join(sorted(chosen))}))

    @rx.event
    def apply(self, form: dict):
        """Put the filters into the URL; on_load then reads them back (and the link can be shared)."""
        return rx.redirect(
            list_url(
                {
                    **self._applied,
                    "from": form.get("from", ""),
                    "to": form.get("to", ""),
                    "q": form.get("q", "").strip(),
                }
            )
        )

    @rx.event
    def clear_attention(self):
        """전체 보기: the same filter without ``attention``."""
        return rx.redirect(list_url({**self._applied, "attention": ""}))

    @rx.event
    def reset_filters(self):
        return rx.redirect(routes.ADMIN_PAYMENTS)

    @rx.event
    async def next_page(self):
        if self.next_cursor:
            self.cursors = [*self.cursors, self.next_cursor]
            return await self._fetch(self.next_cursor)
        return None

    @rx.event
    async def previous_page(self):
        if self.cursors:
            self.cursors = self.cursors[:-1]
            return await self._fetch(self.cursors[-1] if self.cursors else None)
        return None

    @rx.event
    async def export_csv(self):
        """Stream the CSV of the filter the table shows: a one-time ticket lets the browser's GET in."""
        user = await self._admin_user()
        if user is None:
            return None
        ticket = await downloads.issue(saved_id(user), "payments.csv")
        query = {**self._filters().to_query(), "ticket": ticket}
        path = f"{CSV_PATH}?{urlencode(query)}"
        # getBackendURL lives in Reflex's state.js, where call_script's code runs.
        return rx.call_script(f"window.location.href = new URL({json.dumps(path)}, getBackendURL()).toString()")
