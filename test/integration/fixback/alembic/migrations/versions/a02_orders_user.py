"""orders.user_id: an index, a foreign key to users, NOT NULL

Revision ID: a02
"""
# As first written: the guard refuses it on a large orders table. test/integration/fixback/run.sh
# puts migration_guard.fix()'s safe form of its SQL in its place.
from alembic import op

revision = "a02"
down_revision = "a01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_orders_user_id", "orders", ["user_id"])
    op.create_foreign_key("fk_orders_user_id_users", "orders", "users", ["user_id"], ["id"])
    op.alter_column("orders", "user_id", nullable=False)


def downgrade():
    op.alter_column("orders", "user_id", nullable=True)
    op.drop_constraint("fk_orders_user_id_users", "orders", type_="foreignkey")
    op.drop_index("ix_orders_user_id", "orders")
