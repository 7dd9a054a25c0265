"""users.public_id (unsafe: the backfill runs under the ALTER's ACCESS EXCLUSIVE lock)

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
    op.add_column("users", sa.Column("public_id", postgresql.UUID(), nullable=True))
    op.execute("UPDATE users SET public_id = gen_random_uuid()")


def downgrade():
    op.drop_column("users", "public_id")
