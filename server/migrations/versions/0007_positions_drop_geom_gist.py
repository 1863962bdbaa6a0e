"""positions: drop the unused GiST index on geom (PostgreSQL)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:40:00

No query filters positions by geometry: the one spatial search (trucks near a pickup,
server/market/nearby.py) uses ST_DWithin on geography, served by ``ix_positions_geography``,
and everything else reads by (vehicle_id, time), the primary key. Yet every inserted fix paid
for the geometry GiST entry: about 6.6 us of PostgreSQL CPU per row, a fifth of the insert
(measured with the ingest's own batched insert, 500 rows a statement), which at 20,000 fixes a
second is a tenth of a core. SQLite keeps its SpatiaLite index (no cost worth measuring there).
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS idx_positions_geom')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX IF NOT EXISTS idx_positions_geom ON positions USING gist (geom)')
