"""market: one live award per load, and the indexes the board needs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00

- awards: the unique constraint on load_id becomes a unique index over live awards only
  (cancelled_at IS NULL), so a load whose carrier withdrew can be awarded again;
- positions: a GiST index on geography(geom), so ST_DWithin in metres is index-served
  (PostgreSQL only; SpatiaLite has no expression indexes and the embedded default scans);
- loads: an index on vehicle_id for the "is this truck busy" test.
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

LIVE = sa.text("cancelled_at IS NULL")


def upgrade():
    with op.batch_alter_table('awards') as batch:
        batch.drop_constraint('uq_awards_load_id', type_='unique')
    op.create_index('uq_awards_live_load_id', 'awards', ['load_id'], unique=True,
                    postgresql_where=LIVE, sqlite_where=LIVE)
    op.create_index(op.f('ix_loads_vehicle_id'), 'loads', ['vehicle_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX IF NOT EXISTS ix_positions_geography ON positions USING gist (geography(geom))')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_positions_geography')
    op.drop_index(op.f('ix_loads_vehicle_id'), table_name='loads')
    op.drop_index('uq_awards_live_load_id', table_name='awards')
    with op.batch_alter_table('awards') as batch:
        batch.create_unique_constraint('uq_awards_load_id', ['load_id'])
