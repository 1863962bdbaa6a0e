"""audit: the append-only audit trail shared by every stage

Revision ID: 0014
Revises: 0007
Create Date: 2026-12-07 10:30:00

- audit_events: who (organisation, counterparty, user, token, via), what (action, object type and
  id), when, before/after summaries as JSON, and the request id.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import server.db.types

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('counterparty_org_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('before', JSON, nullable=True),
    sa.Column('after', JSON, nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_audit_events_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['counterparty_org_id'], ['organisations.id'],
                            name=op.f('fk_audit_events_counterparty_org_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    for column in ('at', 'organisation_id', 'counterparty_org_id', 'user_id'):
        op.create_index(op.f(f'ix_audit_events_{column}'), 'audit_events', [column], unique=False)
    op.create_index('ix_audit_events_object', 'audit_events', ['object_type', 'object_id'], unique=False)


def downgrade():
    op.drop_index('ix_audit_events_object', table_name='audit_events')
    for column in ('at', 'organisation_id', 'counterparty_org_id', 'user_id'):
        op.drop_index(op.f(f'ix_audit_events_{column}'), table_name='audit_events')
    op.drop_table('audit_events')
