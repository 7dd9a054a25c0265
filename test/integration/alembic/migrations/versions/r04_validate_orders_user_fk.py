"""validate fk_orders_user_id_users

Revision ID: r04
"""
from alembic import op

revision = "r04"
down_revision = "r03"
branch_labels = None
depends_on = None


def upgrade():
    # In its own migration, hence its own transaction (transaction_per_migration=True):
    # VALIDATE scans orders under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id_users")


def downgrade():
    pass
