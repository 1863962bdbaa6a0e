"""The widening near-first radius and sequential offers."""

from datetime import UTC, datetime, timedelta

from server.market.schedule import OfferState, Widening, advance_offer, decline_offer

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
RULE = Widening(base_km=50, step=timedelta(minutes=10), max_km=400)


def test_radius_doubles_each_step_then_opens_to_all():
    """50 km, then 100, 200, 400 km; past 400 km every qualified carrier hears."""
    reach = [RULE.reach_km(T0, T0 + timedelta(minutes=m)) for m in (0, 9, 10, 25, 30, 40)]
    assert reach == [50, 50, 100, 200, 400, None]
    assert RULE.open_to_all_at(T0) == T0 + timedelta(minutes=40)


def test_zero_radius_means_open_to_all_at_once():
    """A base radius of 0 skips the near-first phase."""
    rule = Widening(0, timedelta(minutes=10), 400)
    assert rule.reach_km(T0, T0) is None and rule.open_to_all_at(T0) == T0


def test_offers_advance_one_timeout_at_a_time_then_open():
    """Each elapsed timeout moves the offer on; after the last the board opens."""
    timeout = timedelta(minutes=15)
    start = OfferState(0, T0)
    assert advance_offer(start, 3, timeout, T0 + timedelta(minutes=14)) == start
    assert advance_offer(start, 3, timeout, T0 + timedelta(minutes=31)) == OfferState(2, T0 + timedelta(minutes=30))
    done = advance_offer(start, 3, timeout, T0 + timedelta(hours=5))
    assert done.opened_to_board(3) and done.index == 3


def test_decline_offers_the_next_carrier_at_once():
    """A decline restarts the clock for the next carrier."""
    later = T0 + timedelta(minutes=2)
    assert decline_offer(OfferState(0, T0), later) == OfferState(1, later)
