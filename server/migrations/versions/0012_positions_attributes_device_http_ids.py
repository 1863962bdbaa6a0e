"""positions keep altitude and bounded attributes; device logins get an HTTP id and an OwnTracks device

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-08 10:00:00

- positions.altitude (metres) and positions.attributes (JSON: hdop, satellites, charging,
  OwnTracks' trigger and connection, ``time_source``, ...; bounded by gps_ingest.attributes).
  Both nullable without a default, so on PostgreSQL adding them to the partitioned table is a
  catalogue change that every partition inherits, with no rewrite of stored fixes.
- device_credentials.http_id_hash (SHA-256 of the secret HTTP device id that Traccar Client and
  OsmAnd send as ``id``; unique, so a request finds its login with one index lookup),
  http_id_prefix (the first characters, to tell ids apart in lists and logs) and
  owntracks_device (the OwnTracks DeviceID of the login: ``owntracks/<username>/<device>``).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    # Plain ADD COLUMN on both backends: SQLite adds a nullable column in place, and a batch
    # copy would have to rebuild positions' SpatiaLite geometry column and index.
    op.add_column('positions', sa.Column('altitude', sa.Float(), nullable=True))
    op.add_column('positions', sa.Column('attributes', _json(), nullable=True))
    op.add_column('device_credentials', sa.Column('http_id_hash', sa.String(length=64), nullable=True))
    op.add_column('device_credentials', sa.Column('http_id_prefix', sa.String(length=16), nullable=True))
    op.add_column('device_credentials', sa.Column('owntracks_device', sa.String(length=100), nullable=True))
    op.create_index('ix_device_credentials_http_id_hash', 'device_credentials', ['http_id_hash'], unique=True)


def downgrade():
    op.drop_index('ix_device_credentials_http_id_hash', table_name='device_credentials')
    for column in ('owntracks_device', 'http_id_prefix', 'http_id_hash'):
        op.drop_column('device_credentials', column)
    for column in ('attributes', 'altitude'):
        op.drop_column('positions', column)
