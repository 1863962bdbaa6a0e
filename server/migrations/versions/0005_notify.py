"""notify: the per-attempt log of webhook deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:00:00

- webhook_attempts: one row per HTTP try of a webhook delivery (answer code, error text,
  duration), deleted with its delivery or its endpoint.
"""
from alembic import op
import sqlalchemy as sa

import server.db.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhook_attempts',
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('response_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], ondelete='CASCADE',
                            name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries')),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], ondelete='CASCADE',
                            name=op.f('fk_webhook_attempts_webhook_id_webhooks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    op.create_index(op.f('ix_webhook_attempts_delivery_id'), 'webhook_attempts', ['delivery_id'], unique=False)
    op.create_index(op.f('ix_webhook_attempts_webhook_id'), 'webhook_attempts', ['webhook_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_webhook_attempts_webhook_id'), table_name='webhook_attempts')
    op.drop_index(op.f('ix_webhook_attempts_delivery_id'), table_name='webhook_attempts')
    op.drop_table('webhook_attempts')
