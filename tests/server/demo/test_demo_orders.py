"""The demo day's order book."""

from __future__ import annotations

from datetime import UTC, datetime

from server.demo.cast import Buyer, Carrier, Cast, Seller
from server.demo.orders import DAY_ORDERS, order_payloads


def cast() -> Cast:
    seller = Seller(session=None, name="Plant", plant_id=2, plant=(51.43, 6.76))
    buyers = {3: Buyer(session=None, name="Köln", site_id=3, site=(50.94, 6.96)),
              4: Buyer(session=None, name="Hamburg", site_id=4, site=(53.54, 9.98))}
    return Cast(seller, buyers, {5: Carrier(session=None, name="c", login="c@x.demo")})


def test_orders_are_keyed_by_day_so_reposting_finds_them_again():
    """The same day gives the same idempotency keys; another day gives new ones."""
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    day_one = order_payloads(cast(), 1, now)
    assert [k for k, _ in day_one] == [k for k, _ in order_payloads(cast(), 1, now)]
    assert not {k for k, _ in day_one} & {k for k, _ in order_payloads(cast(), 2, now)}
    assert len(day_one) == len(DAY_ORDERS)


def test_orders_go_from_the_plant_to_each_buyers_site_in_valid_windows():
    """Every order picks up at the plant, delivers to its buyer's own site, and its windows are ordered."""
    payloads = [body for _, body in order_payloads(cast(), 1, datetime(2026, 3, 2, 8, 0, tzinfo=UTC))]
    assert {b["pickup_site_id"] for b in payloads} == {2}
    assert {(b["buyer_id"], b["delivery_site_id"]) for b in payloads} == {(3, 3), (4, 4)}
    for body in payloads:
        pickup, delivery = body["pickup_window"], body["delivery_window"]
        assert pickup["earliest"] < pickup["latest"] and delivery["earliest"] < delivery["latest"]
        assert datetime.fromisoformat(pickup["earliest"]).tzinfo is not None
