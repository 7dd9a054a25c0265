"""create payments (written by hand: unique=True and an inline ForeignKey in op.create_table)

Revision ID: r06
Revises: r05
Create Date: 2026-12-06 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'r06'
down_revision = 'r05'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'payments',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('order_id', sa.Integer, sa.ForeignKey('orders.id'), nullable=False),
        sa.Column('ref', sa.String(40), unique=True, nullable=False),
        sa.Column('amount', sa.Numeric(12, 2), nullable=False),
    )
    op.create_index('ix_payments_order_id', 'payments', ['order_id'])


def downgrade() -> None:
    op.drop_index('ix_payments_order_id', table_name='payments')
    op.drop_table('payments')
