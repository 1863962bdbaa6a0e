"""device logins can be suspended (a device that kept sending garbage) until the carrier re-enables them

Revision ID: 0030
Revises: 0026
Create Date: 2026-12-07 16:00:00

- device_credentials.suspended_at: when the ingest's garbage brake suspended the login
  (gps_ingest.device_brake); while set, the broker and the HTTP position endpoints refuse it, as
  they refuse a revoked one. ``POST /device-credentials/{id}/reinstate`` clears it.
- device_credentials.suspended_reason: why, in a few words, for the carrier's list.
Both nullable without a default: a catalogue change on PostgreSQL, an in-place ADD on SQLite.
"""
from alembic import op
import sqlalchemy as sa

import server.db.types

revision = '0030'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('device_credentials',
                  sa.Column('suspended_at', server.db.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column('device_credentials', sa.Column('suspended_reason', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('device_credentials') as batch:
        batch.drop_column('suspended_reason')
        batch.drop_column('suspended_at')
