"""Nearby trucks by their last fresh fix, on PostGIS and SpatiaLite alike."""

from datetime import timedelta

from server.db.types import utcnow
from server.extensions import db
from server.market.nearby import vehicles_near
from tests.server.market.market_factory import PLANT, add_fix, make_truck


def _near(ids, km, fresh=timedelta(hours=6)):
    return vehicles_near(db.session, ids, PLANT[1], PLANT[0], km, utcnow() - fresh)


def test_only_trucks_within_the_radius_are_near(make_party, ctx):
    """Trucks 20 km and 80 km north: 50 km finds the first, 100 km both."""
    carrier = make_party("carrier")
    close = make_truck(carrier.id, at=(PLANT[0] + 20 / 111.2, PLANT[1]))
    far = make_truck(carrier.id, at=(PLANT[0] + 80 / 111.2, PLANT[1]))
    assert _near([close.id, far.id], 50) == {close.id}
    assert _near([close.id, far.id], 100) == {close.id, far.id}
    assert _near([far.id], 79) == set() and _near([], 100) == set()


def test_only_the_latest_fresh_fix_counts(make_party, ctx):
    """A truck that has driven away is judged by its newest fix; a stale fix is near nothing."""
    carrier = make_party("carrier")
    moved = make_truck(carrier.id, at=PLANT, fix_age=timedelta(hours=1))
    add_fix(moved.id, (PLANT[0] + 3.0, PLANT[1]))  # now ~330 km north
    stale = make_truck(carrier.id, at=PLANT, fix_age=timedelta(hours=12))
    assert _near([moved.id, stale.id], 50) == set()
    assert _near([stale.id], 50, fresh=timedelta(days=1)) == {stale.id}
