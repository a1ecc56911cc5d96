"""Database tables (SQLModel). Money is int KRW; times are timezone-aware UTC.

Split by purpose as in full-stack-fastapi-template: tables here, public views in
``payapp/schemas.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Store aware datetimes as UTC and always give them back aware (SQLite forgets the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: payapp stores timezone-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


def trigram_index(name: str, column: str) -> sa.Index:
    """A PostgreSQL-only GIN trigram index, so ``ILIKE '%q%'`` need not read the whole table.

    SQLite has no pg_trgm: the index is skipped there, by ``create_all`` (ddl_if) and by
    ``alembic check`` (alembic/env.py reads ``info["dialects"]``).
    """
    index = sa.Index(
        name,
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        info={"dialects": ("postgresql",)},
    )
    return index.ddl_if(dialect="postgresql")


def prefix_index(name: str, column: str) -> sa.Index:
    """A PostgreSQL btree that serves ``LIKE 'q%'`` under any collation (text_pattern_ops)."""
    index = sa.Index(name, column, postgresql_ops={column: "text_pattern_ops"}, info={"dialects": ("postgresql",)})
    return index.ddl_if(dialect="postgresql")


class Role(StrEnum):
    CUSTOMER = "customer"
    ADMIN = "admin"


class PaymentStatus(StrEnum):
    """Toss's Payment.status values (the ones a card payment can take here)."""

    READY = "READY"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_FOR_DEPOSIT = "WAITING_FOR_DEPOSIT"
    DONE = "DONE"
    CANCELED = "CANCELED"
    PARTIAL_CANCELED = "PARTIAL_CANCELED"
    ABORTED = "ABORTED"
    EXPIRED = "EXPIRED"


class EventSource(StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"
    WEBHOOK = "webhook"
    RECONCILE = "reconcile"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __table_args__ = (trigram_index("ix_user_email_trgm", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.CUSTOMER, max_length=16)
    created_at: datetime = _ts()


class Product(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=500)
    price: int = Field(ge=0)
    image: str = Field(default="", max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = _ts()


class Payment(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_payment_user_created", "user_id", "created_at"),
        sa.Index("ix_payment_status_created", "status", "created_at"),
        # (created_at, id): the admin list's keyset order, newest first, ties broken by id.
        sa.Index("ix_payment_created_id", "created_at", "id"),
        # Identifiers are searched by prefix (pasted or typed from the start), free text anywhere.
        prefix_index("ix_payment_order_id_prefix", "order_id"),
        prefix_index("ix_payment_payment_key_prefix", "payment_key"),
        trigram_index("ix_payment_order_name_trgm", "order_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    payment_key: str | None = Field(default=None, max_length=200, sa_column_kwargs={"unique": True})
    order_name: str = Field(max_length=100)
    amount: int
    balance_amount: int
    method: str | None = Field(default=None, max_length=32)
    status: str = Field(max_length=24)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_id: int = Field(foreign_key="user.id")
    items: list[dict] = Field(default_factory=list, sa_type=sa.JSON)
    failure_code: str | None = Field(default=None, max_length=64)
    failure_message: str | None = Field(default=None, max_length=510)
    raw: dict | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    # Reconciliation: when Toss last answered about this payment, and when an unsettled one
    # (IN_PROGRESS, WAITING_FOR_DEPOSIT) is next asked; ``check_failures`` drives the back-off.
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    check_failures: int = Field(default=0)


class PaymentEvent(SQLModel, table=True):
    """Append-only history of a Payment's status changes."""

    __tablename__ = "payment_event"

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str = Field(max_length=24)
    source: str = Field(max_length=16)
    detail: dict = Field(default_factory=dict, sa_type=sa.JSON)
    at: datetime = _ts()


class RefundStatus(StrEnum):
    REQUESTED = "REQUESTED"  # written before Toss is called; an unanswered one is finished first
    DONE = "DONE"
    FAILED = "FAILED"


class Refund(SQLModel, table=True):
    """One refund asked of Toss. Its row, and so its Idempotency-Key, exists before the call.

    ``seq`` counts an order's refunds (1, 2, …) and is never reused: the key
    ``refund:{orderId}:{seq}`` can't collide with an earlier refund, whatever Toss last said.
    """

    __table_args__ = (sa.UniqueConstraint("payment_id", "seq", name="uq_refund_payment_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    seq: int
    idempotency_key: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    amount: int | None = None  # None: the whole balance
    reason: str = Field(max_length=200)
    actor: str = Field(default="", max_length=254)
    status: str = Field(default=RefundStatus.REQUESTED, max_length=16)
    transaction_key: str | None = Field(default=None, max_length=64)
    failure_code: str | None = Field(default=None, max_length=64)
    created_at: datetime = _ts()
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReconcileRun(SQLModel, table=True):
    """One reconciliation pass (sweep or 거래 대사), by the process that held the lease."""

    __tablename__ = "reconcile_run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)  # sweep | transactions
    holder: str = Field(max_length=100)
    started_at: datetime = _ts()
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked: int = Field(default=0)
    changed: int = Field(default=0)
    drift: int = Field(default=0)
    error: str | None = Field(default=None, max_length=500)


class ReconcileDrift(SQLModel, table=True):
    """A Toss transaction that 거래 대사 could not explain with our rows (shown to operators)."""

    __tablename__ = "reconcile_drift"

    id: int | None = Field(default=None, primary_key=True)
    transaction_key: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    order_id: str | None = Field(default=None, max_length=64)
    payment_key: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=32)
    detail: dict = Field(default_factory=dict, sa_type=sa.JSON)
    found_at: datetime = _ts()
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PaymentDaily(SQLModel, table=True):
    """Payments per KST day of ``created_at`` and status: count and sum of balance_amount.

    A rollup of ``payment`` for the admin stats, moved by ``transitions.transition`` in the
    transaction that moves the payment (payapp/services/rollup.py).
    """

    __tablename__ = "payment_daily"

    day: date = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=24)
    count: int = Field(default=0, sa_type=sa.BigInteger)
    balance_sum: int = Field(default=0, sa_type=sa.BigInteger)


class AuthSession(SQLModel, table=True):
    """A browser sign-in: only the SHA-256 of the server-issued token is kept."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = _ts()
    expires_at: datetime = Field(sa_type=UTCDateTime)


class WebhookEvent(SQLModel, table=True):
    """A received Toss webhook, stored raw before anything else (dj-stripe's order)."""

    __tablename__ = "webhook_event"

    id: int | None = Field(default=None, primary_key=True)
    transmission_id: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    event_type: str = Field(default="", max_length=64)
    body: dict = Field(default_factory=dict, sa_type=sa.JSON)
    processed: bool = Field(default=False)
    error: str | None = Field(default=None, max_length=500)
    received_at: datetime = _ts()
