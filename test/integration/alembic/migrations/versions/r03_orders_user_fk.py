"""foreign key orders.user_id -> users.id, NOT VALID

Revision ID: r03
"""
from alembic import op

revision = "r03"
down_revision = "r02"
branch_labels = None
depends_on = None


def upgrade():
    # The name comes from the naming_convention in models.py: fk_orders_user_id_users.
    # NOT VALID checks new rows only, so no scan of orders under the lock; r04 validates.
    op.create_foreign_key(None, "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True)


def downgrade():
    op.drop_constraint("fk_orders_user_id_users", "orders", type_="foreignkey")
