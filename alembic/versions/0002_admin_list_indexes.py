"""admin list indexes: keyset (created_at, id) and, on PostgreSQL, trigram search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00

The admin payments list pages by (created_at DESC, id DESC), so the created_at index gains
id (and replaces the created_at-only one, which it covers). Text search: order_id and
payment_key by prefix (``LIKE 'q%'``, btree text_pattern_ops), order_name and user.email
anywhere (``ILIKE '%q%'``, GIN trigram indexes of pg_trgm, a trusted extension since
PostgreSQL 13). Trigram indexes on the random identifiers were tried: they cost more to build
than all the other indexes together (a million-row seed blew its 2-minute budget), for a
substring search of ids nobody types. SQLite gets none of these: there the search reads the
table (fine at embedded sizes).
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TRIGRAM = [
    ("ix_payment_order_name_trgm", "payment", "order_name"),
    ("ix_user_email_trgm", "user", "email"),
]
PREFIX = [
    ("ix_payment_order_id_prefix", "payment", "order_id"),
    ("ix_payment_payment_key_prefix", "payment", "payment_key"),
]


def upgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_created_id', ['created_at', 'id'], unique=False)
        batch_op.drop_index('ix_payment_created')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM:
            op.create_index(name, table, [column], unique=False, postgresql_using="gin",
                            postgresql_ops={column: "gin_trgm_ops"})
        for name, table, column in PREFIX:
            op.create_index(name, table, [column], unique=False, postgresql_ops={column: "text_pattern_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _column in TRIGRAM + PREFIX:
            op.drop_index(name, table_name=table)
        # the extension stays: other schemas in the database may use it
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_created', ['created_at'], unique=False)
        batch_op.drop_index('ix_payment_created_id')
