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


def test_0010_keeps_existing_trade_and_gives_immortal_tokens_a_lifetime(ctx, trade, make_party):
    """Upgrading to 0010 accepts the relationship of every seller and buyer that share an order (once per
    pair, not for strangers) and gives ERP tokens without expiry the default lifetime."""
    from datetime import timedelta

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import insert, select

    from server.db.migrate import _scripts
    from server.db.types import utcnow
    from server.models import ApiToken, Order, TradingRelationship

    seller, buyer, stranger = trade["seller"], trade["buyer"], make_party("buyer")
    now = utcnow()
    before_0010 = _scripts().get_revision("0010").down_revision  # migrations are chained in the order they landed
    db.session.remove()
    try:
        downgrade(revision=before_0010)
        with db.engine.begin() as conn:
            for n in range(2):
                conn.execute(insert(Order.__table__).values(
                    seller_org_id=seller.id, buyer_org_id=buyer.id, reference=f"OLD-{n}", status="received",
                    pickup_site_id=trade["plant"]["id"], delivery_site_id=trade["yard"]["id"],
                    pickup_earliest=now, pickup_latest=now, delivery_earliest=now, delivery_latest=now, notes="",
                    request_fingerprint="", created_at=now))
            conn.execute(insert(ApiToken.__table__).values(
                organisation_id=seller.id, name="old ERP", kind="erp", token_hash="f" * 64, prefix="haul_old",
                roles=["viewer"], created_at=now))
    finally:
        upgrade()
    rows = db.session.scalars(select(TradingRelationship)).all()
    assert [(r.seller_org_id, r.buyer_org_id, r.status) for r in rows] == [(seller.id, buyer.id, "accepted")]
    assert stranger.id not in {r.buyer_org_id for r in rows}
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "old ERP"))
    assert timedelta(days=89) < token.expires_at - now < timedelta(days=91)


def test_0032_gives_every_existing_membership_no_department_roles(ctx, make_party):
    """Downgrading below 0032 drops department_members.roles; upgrading again gives existing members []."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select, text

    from server.db.migrate import _scripts
    from server.db.types import utcnow
    from server.models import Department, DepartmentMember

    party = make_party("buyer")
    department = Department(organisation_id=party.id, name="Steel")
    db.session.add(department)
    db.session.commit()
    department_id, user_id = department.id, party.user.id
    before_0032 = _scripts().get_revision("0032").down_revision
    db.session.remove()
    try:
        downgrade(revision=before_0032)
        assert "roles" not in {c["name"] for c in inspect(db.engine).get_columns("department_members")}
        with db.engine.begin() as conn:  # as a membership made before 0032 was stored
            conn.execute(text("INSERT INTO department_members (department_id, user_id, created_at) "
                              "VALUES (:department_id, :user_id, :now)"),
                         {"department_id": department_id, "user_id": user_id, "now": utcnow()})
    finally:
        upgrade()
    assert db.session.scalars(select(DepartmentMember.roles).where(DepartmentMember.user_id == user_id)).all() == [[]]
