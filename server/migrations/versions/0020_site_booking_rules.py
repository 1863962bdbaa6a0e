"""site booking rules: each plant's lead time, cut-offs, no-show grace and free time

Revision ID: 0020
Revises: 0010
Create Date: 2026-12-07 13:10:00

- sites.booking_rules: a JSON object of the site's own booking rules (``server/yard/booking_rules.py``
  names the keys and their defaults); an empty object means the defaults.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0020'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on both backends (SQLite adds a column with a constant default in place); a batch
    # copy of ``sites`` would trip over the spatial columns and the foreign keys pointing at it.
    op.add_column('sites', sa.Column('booking_rules',
                                     sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                                     nullable=False, server_default=sa.text("'{}'")))


def downgrade():
    op.drop_column('sites', 'booking_rules')
