"""create users and orders

Revision ID: a01
"""
import sqlalchemy as sa
from alembic import op

revision = "a01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("user_id", sa.BigInteger),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
    )


def downgrade():
    op.drop_table("orders")
    op.drop_table("users")
