"""backfill users.public_id in batches

Revision ID: r07
"""
import sqlalchemy as sa
from alembic import op

revision = "r07"
down_revision = "r06"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    # Each batch commits on its own (autocommit_block), so no row lock is held for long,
    # and no lock taken by an earlier ALTER TABLE is still held while rows change.
    conn = op.get_bind()
    with op.get_context().autocommit_block():
        lo, hi = conn.execute(sa.text("SELECT min(id), max(id) FROM users")).one()
        if lo is None:
            return
        for start in range(lo, hi + 1, BATCH):
            conn.execute(
                sa.text(
                    "UPDATE users SET public_id = gen_random_uuid()"
                    " WHERE id BETWEEN :lo AND :hi AND public_id IS NULL"
                ),
                {"lo": start, "hi": start + BATCH - 1},
            )


def downgrade():
    pass
