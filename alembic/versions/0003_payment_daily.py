"""payment_daily: payments per KST day and status, for the admin stats

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00

The admin stats aggregated every matching payment (1.3 s for the whole table at a million
rows). payment_daily holds, per KST day of created_at and status, the number of payments and
the sum of their balance_amount; transitions.transition keeps it in step from now on, and this
migration fills it from the payments already there (one INSERT … SELECT … GROUP BY, a full
read of payment: a few seconds at a million rows, under the migration's lock).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The KST day of created_at, as the admin's scanning queries compute it (KST has no DST).
DAY = {"postgresql": "(created_at AT TIME ZONE 'Asia/Seoul')::date", "sqlite": "date(created_at, '+9 hours')"}


def upgrade() -> None:
    op.create_table('payment_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('balance_sum', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'status')
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Writers wait for the back-fill, so none of their moves is counted twice or lost.
        op.execute("LOCK TABLE payment IN SHARE MODE")
    op.execute(f"INSERT INTO payment_daily (day, status, count, balance_sum) "
               f"SELECT {DAY[bind.dialect.name]}, status, count(*), coalesce(sum(balance_amount), 0) "
               f"FROM payment GROUP BY 1, 2")


def downgrade() -> None:
    op.drop_table('payment_daily')
