"""yard: no overlapping dock appointments, one live appointment and one live visit per load

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:00:00

- dock_appointments: two appointments that are not cancelled never overlap on one dock.
  PostgreSQL: an EXCLUDE constraint over (dock_id, tstzrange(start, end)) with btree_gist,
  plus a CHECK that an appointment ends after it starts. SQLite: BEFORE INSERT/UPDATE
  triggers that abort the writing statement; they run inside the writer's transaction,
  which holds SQLite's single write lock, so two writers cannot both pass.
- dock_appointments: at most one live (booked, called, loading) appointment per load.
- yard_visits: at most one visit per load that is not over (departed, cancelled).
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

LIVE_APPOINTMENT = "status IN ('booked', 'called', 'loading')"
LIVE_VISIT = "status NOT IN ('departed', 'cancelled')"

OVERLAP = """
    SELECT RAISE(ABORT, 'dock_appointments_no_overlap')
    WHERE EXISTS (SELECT 1 FROM dock_appointments AS other
                  WHERE other.dock_id = NEW.dock_id AND other.status <> 'cancelled' AND other.id IS NOT NEW.id
                    AND other.start < NEW."end" AND NEW.start < other."end");
"""


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
        op.execute('ALTER TABLE dock_appointments ADD CONSTRAINT ck_dock_appointments_ends_after_start '
                   'CHECK ("end" > start)')
        op.execute('ALTER TABLE dock_appointments ADD CONSTRAINT ex_dock_appointments_no_overlap '
                   'EXCLUDE USING gist (dock_id WITH =, tstzrange(start, "end") WITH &&) '
                   "WHERE (status <> 'cancelled')")
    else:
        op.execute('CREATE TRIGGER dock_appointments_no_overlap_insert BEFORE INSERT ON dock_appointments '
                   "WHEN NEW.status <> 'cancelled' BEGIN" + OVERLAP + 'END')
        op.execute('CREATE TRIGGER dock_appointments_no_overlap_update '
                   'BEFORE UPDATE OF dock_id, start, "end", status ON dock_appointments '
                   "WHEN NEW.status <> 'cancelled' BEGIN" + OVERLAP + 'END')
        op.execute('CREATE TRIGGER dock_appointments_ends_after_start BEFORE INSERT ON dock_appointments '
                   'WHEN NEW."end" <= NEW.start BEGIN '
                   "SELECT RAISE(ABORT, 'ck_dock_appointments_ends_after_start'); END")
    op.execute(f'CREATE UNIQUE INDEX uq_dock_appointments_live_load_id ON dock_appointments (load_id) '
               f'WHERE {LIVE_APPOINTMENT}')
    op.execute(f'CREATE UNIQUE INDEX uq_yard_visits_live_load_id ON yard_visits (load_id) WHERE {LIVE_VISIT}')


def downgrade():
    op.execute('DROP INDEX uq_yard_visits_live_load_id')
    op.execute('DROP INDEX uq_dock_appointments_live_load_id')
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        op.execute('ALTER TABLE dock_appointments DROP CONSTRAINT ex_dock_appointments_no_overlap')
        op.execute('ALTER TABLE dock_appointments DROP CONSTRAINT ck_dock_appointments_ends_after_start')
    else:
        for name in ('dock_appointments_no_overlap_insert', 'dock_appointments_no_overlap_update',
                     'dock_appointments_ends_after_start'):
            op.execute(f'DROP TRIGGER {name}')
