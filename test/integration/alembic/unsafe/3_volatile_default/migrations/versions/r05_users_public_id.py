"""users.public_id (unsafe: a volatile default rewrites the table)

Revision ID: r05
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "r05"
down_revision = "r04"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "users",
        sa.Column("public_id", postgresql.UUID(), server_default=sa.text("gen_random_uuid()")),
    )


def downgrade():
    op.drop_column("users", "public_id")
