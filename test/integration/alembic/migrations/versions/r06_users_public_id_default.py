"""default for users.public_id, for new rows

Revision ID: r06
"""
import sqlalchemy as sa
from alembic import op

revision = "r06"
down_revision = "r05"
branch_labels = None
depends_on = None


def upgrade():
    # SET DEFAULT on an existing column changes the catalog only; old rows keep NULL
    # until r07 fills them.
    op.alter_column("users", "public_id", server_default=sa.text("gen_random_uuid()"))


def downgrade():
    op.alter_column("users", "public_id", server_default=None)
