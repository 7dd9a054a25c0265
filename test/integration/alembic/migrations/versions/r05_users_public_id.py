"""users.public_id, nullable and without a default

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
    # No volatile default: ADD COLUMN ... DEFAULT gen_random_uuid() would rewrite the table
    # under ACCESS EXCLUSIVE. A nullable column without a default is a catalog change.
    op.add_column("users", sa.Column("public_id", postgresql.UUID(), nullable=True))


def downgrade():
    op.drop_column("users", "public_id")
