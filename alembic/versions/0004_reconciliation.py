"""reconciliation: when Toss last answered per payment, refunds with their own keys, runs, drift

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:30:00

- payment.checked_at / next_check_at / check_failures: the automatic sweep's schedule and the
  "last checked with Toss" shown to operators;
- refund: one row per refund, written before Toss is called; its Idempotency-Key comes from
  its own sequence number, never from what Toss last said;
- reconcile_run: each pass of the sweep or of 거래 대사, and who ran it (one at a time);
- reconcile_drift: Toss transactions our rows could not explain.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table('payment') as batch:
        batch.add_column(sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('next_check_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('check_failures', sa.Integer(), nullable=False, server_default='0'))
        batch.create_index('ix_payment_next_check_at', ['next_check_at'], unique=False)
    op.create_table('refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', S(length=100), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('reason', S(length=200), nullable=False),
    sa.Column('actor', S(length=254), nullable=False),
    sa.Column('status', S(length=16), nullable=False),
    sa.Column('transaction_key', S(length=64), nullable=True),
    sa.Column('failure_code', S(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('payment_id', 'seq', name='uq_refund_payment_seq')
    )
    op.create_index('ix_refund_payment_id', 'refund', ['payment_id'], unique=False)
    op.create_table('reconcile_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', S(length=16), nullable=False),
    sa.Column('holder', S(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('drift', sa.Integer(), nullable=False),
    sa.Column('error', S(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_reconcile_run_kind', 'reconcile_run', ['kind'], unique=False)
    op.create_table('reconcile_drift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_key', S(length=64), nullable=False),
    sa.Column('order_id', S(length=64), nullable=True),
    sa.Column('payment_key', S(length=200), nullable=True),
    sa.Column('kind', S(length=32), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('transaction_key')
    )


def downgrade() -> None:
    op.drop_table('reconcile_drift')
    op.drop_index('ix_reconcile_run_kind', table_name='reconcile_run')
    op.drop_table('reconcile_run')
    op.drop_index('ix_refund_payment_id', table_name='refund')
    op.drop_table('refund')
    with op.batch_alter_table('payment') as batch:
        batch.drop_index('ix_payment_next_check_at')
        batch.drop_column('check_failures')
        batch.drop_column('next_check_at')
        batch.drop_column('checked_at')
