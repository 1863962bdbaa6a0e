"""Migration 0002: one live award per load, on both backends, and a clean round trip."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from server.db.types import utcnow
from server.extensions import db
from server.models import Award, Tender
from tests.server.market.market_factory import make_board


def _award(board, load_id, carrier_id, cancelled=False):
    tender = Tender(load_id=load_id, seller_org_id=board.seller.id, mode="grab", status="awarded", price=1,
                    preferred_carrier_ids=[])
    db.session.add(tender)
    db.session.flush()
    db.session.add(Award(tender_id=tender.id, load_id=load_id, carrier_org_id=carrier_id, price=1, rule="first_come",
                         cancelled_at=utcnow() if cancelled else None))
    db.session.commit()


def test_a_load_has_at_most_one_live_award(make_party, ctx):
    """A cancelled award leaves room for a new one; two live awards for one load are refused by the database."""
    board = make_board(make_party, carriers=2)
    load = board.load()
    a, b = board.carriers
    _award(board, load.id, a.id, cancelled=True)
    _award(board, load.id, b.id)
    with pytest.raises(IntegrityError):
        _award(board, load.id, a.id)
    db.session.rollback()


def test_downgrade_and_upgrade_round_trip(ctx):
    """0002 downgrades to 0001 (restoring the plain unique constraint) and upgrades back."""
    def award_indexes():
        inspector = inspect(db.engine)
        names = {ix["name"] for ix in inspector.get_indexes("awards")}
        return names | {uc["name"] for uc in inspector.get_unique_constraints("awards")}

    db.session.remove()
    assert "uq_awards_live_load_id" in award_indexes()
    try:
        downgrade(revision="0001")
        assert "uq_awards_load_id" in award_indexes() and "uq_awards_live_load_id" not in award_indexes()
    finally:
        upgrade()
    assert "uq_awards_live_load_id" in award_indexes()


def test_positions_have_a_geography_index_on_postgis(ctx):
    """On PostgreSQL the distance test of the board is served by a GiST index on geography(geom)."""
    from sqlalchemy import text

    if ctx.config["BACKEND"] != "postgis":
        pytest.skip("SpatiaLite has no expression indexes")
    names = set(db.session.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'positions'")))
    assert "ix_positions_geography" in names
