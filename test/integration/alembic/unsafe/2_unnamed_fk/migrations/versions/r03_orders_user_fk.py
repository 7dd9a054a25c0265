"""foreign key orders.user_id -> users.id (unsafe: no name, validated under the lock)

Revision ID: r03
"""
from alembic import op

revision = "r03"
down_revision = "r02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key(None, "orders", "users", ["user_id"], ["id"])


def downgrade():
    pass
