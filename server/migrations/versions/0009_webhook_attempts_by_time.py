"""webhook_attempts: an index on created_at, for the per-organisation delivery rate

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-08 10:00:00

Each delivery round counts every organisation's attempts of the last minute
(``server/notify/delivery.py``), so an organisation over its rate waits instead of taking the
whole delivery worker; the purge of old attempts reads by time too. Plain B-tree index, the
same on both backends.
"""
from alembic import op

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_webhook_attempts_created_at', 'webhook_attempts', ['created_at'], unique=False,
                    if_not_exists=True)


def downgrade():
    op.drop_index('ix_webhook_attempts_created_at', table_name='webhook_attempts', if_exists=True)
