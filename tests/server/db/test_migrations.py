"""Migrations build the whole domain on both backends and are idempotent."""

from sqlalchemy import inspect

from server.db.migrate import current_revision, upgrade_to_head
from server.extensions import db


def test_upgrade_is_idempotent_and_at_head(ctx):
    """A second upgrade applies nothing and leaves the database at head."""
    assert upgrade_to_head() == 0
    assert current_revision() is not None


def test_every_model_table_exists_with_spatial_columns(ctx):
    """Every mapped table exists; positions are keyed by (vehicle_id, time)."""
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    pk = inspector.get_pk_constraint("positions")["constrained_columns"]
    assert pk == ["vehicle_id", "time"]


def test_spatial_functions_work_on_stored_points(ctx, make_party):
    """A stored site point can be measured with ST_Distance on either backend."""
    from geoalchemy2 import functions as gf
    from sqlalchemy import select

    from server.api.common import point_to_db
    from server.models import Site

    party = make_party("seller")
    db.session.add(Site(organisation_id=party.id, name="A", location=point_to_db({"lat": 1.0, "lon": 2.0})))
    db.session.commit()
    distance = db.session.scalar(select(gf.ST_Distance(Site.location, gf.ST_GeomFromText("POINT(2 2)", 4326))))
    assert abs(distance - 1.0) < 1e-9
