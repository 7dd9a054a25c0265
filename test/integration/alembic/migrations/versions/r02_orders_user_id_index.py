"""index orders.user_id without blocking writes

Revision ID: r02
"""
from alembic import op

revision = "r02"
down_revision = "r01"
branch_labels = None
depends_on = None


def upgrade():
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction block: autocommit_block()
    # commits the migration's transaction and runs what is inside it in autocommit mode.
    with op.get_context().autocommit_block():
        op.create_index("ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_orders_user_id", "orders", postgresql_concurrently=True)
