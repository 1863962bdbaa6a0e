"""Recording scorecard facts and reading each seller's market settings from the database."""

from sqlalchemy import select

from server.extensions import db
from server.market import scoring
from server.market.refusals import MarketRefused
from server.models import CarrierScoreEvent, Organisation
from tests.server.market.market_factory import make_board


def test_cancellations_add_up_and_other_facts_are_replaced(make_party, ctx):
    """Two cancellations on one load count twice; a newer on-time fact replaces the older one."""
    board = make_board(make_party, carriers=1)
    carrier, load = board.carriers[0], board.load(status="closed")
    scoring.record(carrier.id, load.id, "cancelled", 1)
    scoring.record(carrier.id, load.id, "cancelled", 1)
    scoring.record_trip(carrier.id, load.id, picked_up_on_time=False, tracked_share=1.7)
    scoring.record_trip(carrier.id, load.id, picked_up_on_time=True)
    db.session.commit()
    facts = {e.kind: e.value for e in db.session.scalars(select(CarrierScoreEvent))}
    assert facts == {"cancelled": 2.0, "on_time_pickup": 1.0, "tracked_share": 1.0}
    assert scoring.scorecards([carrier.id], 20)[carrier.id].cancellations == 2


def test_unusable_stored_settings_fall_back_to_defaults(make_party, ctx):
    """A seller whose stored settings are broken still gets a market, on the default settings."""
    seller = make_party("seller")
    org = db.session.get(Organisation, seller.id)
    org.settings = {"market": {"window": -3}}
    db.session.commit()
    assert scoring.settings_of(seller.id).window == 20


def test_refusals_carry_kind_status_and_reason():
    """A refusal maps its kind to the HTTP status and keeps its field errors."""
    refusal = MarketRefused("invalid", "bad_price", "no", [("price", "must be positive")])
    assert (refusal.status, refusal.reason, refusal.errors) == (422, "bad_price", [("price", "must be positive")])
    assert isinstance(refusal, ValueError)
