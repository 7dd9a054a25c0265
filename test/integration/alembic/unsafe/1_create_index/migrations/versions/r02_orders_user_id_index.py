"""index orders.user_id (unsafe: plain CREATE INDEX blocks writes on orders)

Revision ID: r02
"""
from alembic import op

revision = "r02"
down_revision = "r01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_orders_user_id", "orders", ["user_id"])


def downgrade():
    op.drop_index("ix_orders_user_id", "orders")
