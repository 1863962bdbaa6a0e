"""email: per-user e-mail settings and the e-mail outbox

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-07 13:10:00

- email_settings: one row per user who changed the defaults (on/off, immediate or daily digest,
  which kinds), and why e-mail was turned off (a bounce).
- email_messages: one row per notification to e-mail to one user, worked through by the sender
  with retries; a digest's rows wait in status 'digest'.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import server.db.types

revision = '0016'
down_revision = '0024'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table('email_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('kinds', JSON, nullable=False),
    sa.Column('disabled_reason', sa.String(length=300), nullable=True),
    sa.Column('disabled_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_digest_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_settings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_settings')),
    sa.UniqueConstraint('user_id', name=op.f('uq_email_settings_user_id'))
    )
    op.create_table('email_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_messages_user_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'],
                            name=op.f('fk_email_messages_notification_id_notifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_messages'))
    )
    op.create_index(op.f('ix_email_messages_user_id'), 'email_messages', ['user_id'], unique=False)
    op.create_index('ix_email_messages_due', 'email_messages', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    op.drop_index('ix_email_messages_due', table_name='email_messages')
    op.drop_index(op.f('ix_email_messages_user_id'), table_name='email_messages')
    op.drop_table('email_messages')
    op.drop_table('email_settings')
