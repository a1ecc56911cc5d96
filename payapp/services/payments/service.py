"""``PaymentService``: every payment job, one object (what pages, the REST API and the
reconciler call). Each job lives in its own module of this package."""

from __future__ import annotations

from .prepare import PrepareJob
from .transactions import TransactionsJob


class PaymentService(PrepareJob, TransactionsJob):
    """prepare → confirm → settle / sweep / 거래 대사 → refund."""
