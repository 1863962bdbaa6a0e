"""positions partitioned by day on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00

On PostgreSQL, ``positions`` becomes a table partitioned by range of ``time`` (one partition per
UTC day, plus a default partition), so retention drops whole partitions instead of deleting
rows; the ingest worker creates upcoming partitions (server/tracking/partitions.py). Columns,
key, foreign key and the GiST indexes (0002's geography one too) keep their names, so the
models are unchanged. SQLite is left as it is (its retention is a DELETE).
"""
from datetime import UTC, datetime, timedelta

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

COLUMNS = """
    vehicle_id integer NOT NULL,
    time timestamp with time zone NOT NULL,
    geom geometry(POINT, 4326) NOT NULL,
    speed double precision,
    heading double precision,
    accuracy double precision,
    battery double precision,
    seq integer,
    source varchar(20) NOT NULL,
    received_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_positions PRIMARY KEY (vehicle_id, time),
    CONSTRAINT fk_positions_vehicle_id_vehicles FOREIGN KEY (vehicle_id) REFERENCES vehicles (id)
"""


def create_partition_sql(day):
    """Same naming as server/tracking/partitions.py (kept inline: a migration must not drift)."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    return (f"CREATE TABLE IF NOT EXISTS positions_p{day:%Y%m%d} PARTITION OF positions "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")


def _rename_old(conn):
    conn.exec_driver_sql("ALTER TABLE positions RENAME TO positions_old")
    conn.exec_driver_sql("ALTER TABLE positions_old RENAME CONSTRAINT pk_positions TO pk_positions_old")
    conn.exec_driver_sql("ALTER TABLE positions_old RENAME CONSTRAINT fk_positions_vehicle_id_vehicles "
                         "TO fk_positions_old_vehicle_id_vehicles")
    conn.exec_driver_sql("ALTER INDEX IF EXISTS idx_positions_geom RENAME TO idx_positions_old_geom")
    conn.exec_driver_sql("ALTER INDEX IF EXISTS ix_positions_geography RENAME TO ix_positions_old_geography")


def _indexes(conn):
    # The GiST index of the model, and 0002's geography index for ST_DWithin in metres.
    conn.exec_driver_sql("CREATE INDEX idx_positions_geom ON positions USING gist (geom)")
    conn.exec_driver_sql("CREATE INDEX ix_positions_geography ON positions USING gist (geography(geom))")


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    _rename_old(conn)
    conn.exec_driver_sql(f"CREATE TABLE positions ({COLUMNS}) PARTITION BY RANGE (time)")
    _indexes(conn)
    conn.exec_driver_sql("CREATE TABLE positions_default PARTITION OF positions DEFAULT")
    days = {d for (d,) in conn.exec_driver_sql(
        "SELECT DISTINCT (time AT TIME ZONE 'UTC')::date FROM positions_old")}
    today = datetime.now(UTC).date()
    days |= {today + timedelta(days=i) for i in range(4)}
    for day in sorted(days):
        conn.exec_driver_sql(create_partition_sql(day))
    conn.exec_driver_sql("INSERT INTO positions SELECT * FROM positions_old")
    conn.exec_driver_sql("DROP TABLE positions_old")


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    _rename_old(conn)
    conn.exec_driver_sql(f"CREATE TABLE positions ({COLUMNS})")
    _indexes(conn)
    conn.exec_driver_sql("INSERT INTO positions SELECT * FROM positions_old")
    conn.exec_driver_sql("DROP TABLE positions_old")
