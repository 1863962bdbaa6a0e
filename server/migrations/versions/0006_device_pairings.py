"""device pairings: single-use codes that sign a driver's phone in

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 14:30:00

- device_pairings: one row per pairing code a dispatcher made for a driver (and optionally a
  truck); only an HMAC of the code is stored. Keeps what the code issued (the app token and
  the device credential) so that unpairing revokes both.
"""
from alembic import op
import sqlalchemy as sa

import server.db.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('device_pairings',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('driver_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paired_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('device_name', sa.String(length=100), nullable=True),
    sa.Column('api_token_id', sa.Integer(), nullable=True),
    sa.Column('device_credential_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_device_pairings_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['driver_id'], ['drivers.id'], name=op.f('fk_device_pairings_driver_id_drivers')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_device_pairings_vehicle_id_vehicles')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'],
                            name=op.f('fk_device_pairings_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['api_token_id'], ['api_tokens.id'],
                            name=op.f('fk_device_pairings_api_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['device_credential_id'], ['device_credentials.id'],
                            name=op.f('fk_device_pairings_device_credential_id_device_credentials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_pairings')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_device_pairings_code_hash'))
    )
    op.create_index(op.f('ix_device_pairings_organisation_id'), 'device_pairings', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_device_pairings_driver_id'), 'device_pairings', ['driver_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_device_pairings_driver_id'), table_name='device_pairings')
    op.drop_index(op.f('ix_device_pairings_organisation_id'), table_name='device_pairings')
    op.drop_table('device_pairings')
