"""Who hears of a tender: near-first, qualified, free, and above the seller's thresholds."""

from datetime import timedelta

import pytest

from server.extensions import db
from server.market import scoring
from server.market.audience import compute_audience, load_view, phase
from server.market.scorecard import MarketSettings
from server.models import Load, Tender
from tests.server.market.market_factory import add_carrier, make_board


@pytest.fixture
def board(make_party, ctx):
    board = make_board(make_party, carriers=2)
    board.far = add_carrier(board, make_party, near_km=150)
    board.untracked = add_carrier(board, make_party, near_km=None)
    board.tanker = add_carrier(board, make_party, equipment=("liquid_arm",))
    return board


def _tender(board, **values) -> tuple[Tender, Load]:
    load = db.session.get(Load, board.load().id)
    fields = {"mode": "grab", "price": 900, "radius_km": 50, "preferred_carrier_ids": [], **values}
    tender = Tender(load_id=load.id, seller_org_id=board.seller.id, **fields)
    db.session.add(tender)
    db.session.commit()
    return tender, load


def test_near_phase_reaches_free_qualified_trucks_within_the_radius(board):
    """At first only the two near pallet carriers hear; the far, untracked and tanker carriers do not."""
    tender, load = _tender(board)
    near = {c.id for c in board.carriers[:2]}
    assert compute_audience(tender, load_view(load), MarketSettings(), tender.created_at) == near


def test_widened_radius_and_open_board_reach_further(board):
    """After 10 minutes (100 km) nothing changes; at 200 km the far carrier hears; past the maximum all qualified do."""
    tender, load = _tender(board)
    settings, view, t0 = MarketSettings(radius_max_km=400), load_view(load), tender.created_at
    base = {c.id for c in board.carriers[:2]}
    assert compute_audience(tender, view, settings, t0 + timedelta(minutes=10)) == base
    assert compute_audience(tender, view, settings, t0 + timedelta(minutes=20)) == base | {board.far.id}
    assert phase(tender, settings, t0 + timedelta(minutes=40)).kind == "all"
    assert compute_audience(tender, view, settings, t0 + timedelta(minutes=40)) == base | {board.far.id,
                                                                                          board.untracked.id}


def test_a_busy_truck_is_not_free_near_the_pickup(board):
    """A carrier whose only truck is assigned to another load does not hear in the near phase."""
    busy_carrier = board.carriers[0]
    other = db.session.get(Load, board.load(status="assigned", carrier_org_id=busy_carrier.id,
                                            vehicle_id=board.trucks[busy_carrier.id].id).id)
    assert other.status == "assigned"
    tender, load = _tender(board)
    assert compute_audience(tender, load_view(load), MarketSettings(), tender.created_at) == {board.carriers[1].id}


def test_private_and_sequential_tenders_reach_only_the_invited(board):
    """A private tender reaches its invited carriers; a sequential one only the carrier offered now."""
    a, b = board.carriers[:2]
    private, load = _tender(board, private=True)
    private.preferred_carrier_ids = [b.id, board.tanker.id]
    db.session.commit()
    assert compute_audience(private, load_view(load), MarketSettings(), private.created_at) == {b.id}
    seq, load = _tender(board, private=True, mode="sequential", sequential_index=1)
    seq.preferred_carrier_ids = [a.id, b.id]
    db.session.commit()
    assert compute_audience(seq, load_view(load), MarketSettings(), seq.created_at) == {b.id}


def test_thresholds_remove_poor_carriers(board):
    """A seller's on-time threshold drops a carrier with late pickups from the audience."""
    late = board.carriers[0]
    for _ in range(3):
        old = board.load(status="closed")
        scoring.record_trip(late.id, old.id, picked_up_on_time=False)
    db.session.commit()
    tender, load = _tender(board)
    settings = MarketSettings(min_on_time_pickup=0.5)
    assert compute_audience(tender, load_view(load), settings, tender.created_at) == {board.carriers[1].id}


def test_scorecards_use_only_the_last_n_loads(board, make_party):
    """With a window of 2, an old cancellation drops off the scorecard."""
    carrier = board.carriers[0]
    loads = [board.load(status="closed") for _ in range(3)]
    scoring.record(carrier.id, loads[0].id, "cancelled", 1, now=loads[0].created_at)
    for load in loads[1:]:
        scoring.record_trip(carrier.id, load.id, picked_up_on_time=True, now=load.created_at + timedelta(hours=1))
    db.session.commit()
    assert scoring.scorecards([carrier.id], 2)[carrier.id].cancellations == 0
    assert scoring.scorecards([carrier.id], 3)[carrier.id].cancellations == 1


def test_audience_is_cached_per_tender_version_and_phase(board, monkeypatch, ctx):
    """With a TTL the audience is computed once per phase: a new version of the tender in the same
    phase is served by the same computation, and a wider radius is computed afresh."""
    from server.market import audience as audience_module

    calls = []
    real = audience_module.compute_audience
    monkeypatch.setattr(audience_module, "compute_audience", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setitem(ctx.config, "MARKET_AUDIENCE_TTL_S", 60)
    audience_module.audience_cache.clear()
    tender, load = _tender(board)
    view, settings, t0 = load_view(load), MarketSettings(), tender.created_at
    first = audience_module.audience(tender, settings, t0, view)
    assert audience_module.audience(tender, settings, t0 + timedelta(minutes=1), lambda: view) == first
    assert len(calls) == 1
    tender.version += 1
    assert audience_module.audience(tender, settings, t0, view) == first
    assert len(calls) == 1
    wider = audience_module.audience(tender, settings, t0 + timedelta(minutes=20), view)  # 50 km -> 200 km
    assert len(calls) == 2 and wider == first | {board.far.id}
    audience_module.audience_cache.clear()


def test_alike_tenders_share_one_audience_and_different_needs_do_not(board, monkeypatch, ctx):
    """Two tenders of alike loads at one plant share a computation; a load only a tanker can carry
    gets its own, with the tanker's carrier in it."""
    from server.market import audience as audience_module

    calls = []
    real = audience_module.compute_audience
    monkeypatch.setattr(audience_module, "compute_audience", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setitem(ctx.config, "MARKET_AUDIENCE_TTL_S", 60)
    audience_module.audience_cache.clear()
    settings = MarketSettings()
    first, first_load = _tender(board, radius_km=0)
    second, second_load = _tender(board, radius_km=0)
    everyone = audience_module.audience(first, settings, first.created_at, load_view(first_load))
    assert audience_module.audience(second, settings, second.created_at, load_view(second_load)) == everyone
    assert len(calls) == 1
    liquid = db.session.get(Load, board.load(required_equipment="liquid_arm").id)
    tanker_tender = Tender(load_id=liquid.id, seller_org_id=board.seller.id, mode="grab", price=900, radius_km=0,
                           preferred_carrier_ids=[])
    db.session.add(tanker_tender)
    db.session.commit()
    told = audience_module.audience(tanker_tender, settings, tanker_tender.created_at, load_view(liquid))
    assert len(calls) == 2 and board.tanker.id in told and board.tanker.id not in everyone
    audience_module.audience_cache.clear()
