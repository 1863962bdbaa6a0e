"""orders keep what their committed load plan left out: orders.unplaced

Revision ID: 0024
Revises: 0010
Create Date: 2026-12-07 13:20:00

- orders.unplaced (JSON, nullable): after a load plan is committed, the units of each line that no
  load carries and why ([{line_id, line_no, sku, quantity, reason}]); the order's status says
  planned, partly_planned or unplanned accordingly. Nullable without a default: a plain ADD COLUMN
  on both backends.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('orders', sa.Column('unplaced', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('unplaced')
