"""How a simulated carrier decides which loads its trucks can take."""

from __future__ import annotations

from server.demo.cast import Carrier
from server.demo.market import fits, needs_of, spare_trucks


def truck(vehicle_id: int, hazmat: bool, equipment=("pallet_dock", "side_loader"), kg=24_000) -> dict:
    return {"id": vehicle_id, "plate": f"T-{vehicle_id}", "hazmat_certified": hazmat, "equipment": list(equipment),
            "max_weight_kg": kg, "max_volume_m3": 90, "pallet_positions": 33}


def load(kg=20_000, hazmat="", equipment="pallet_dock") -> dict:
    return {"required_equipment": equipment, "weight_kg": kg, "volume_m3": 20, "pallets": 15, "hazmat_classes": hazmat}


def test_a_truck_fits_by_equipment_capacity_and_hazmat():
    """Equipment, weight and hazmat certification all have to match."""
    assert fits(truck(1, False), needs_of(load()))
    assert not fits(truck(1, False), needs_of(load(hazmat="8")))
    assert fits(truck(1, True), needs_of(load(hazmat="8")))
    assert not fits(truck(1, True, equipment=("liquid_arm",)), needs_of(load()))
    assert not fits(truck(1, True), needs_of(load(kg=30_000)))


def test_committed_hazardous_loads_take_the_certified_truck_first():
    """A hazardous commitment uses the certified truck, leaving the plain one for a plain load."""
    carrier = Carrier(session=None, name="c", login="c@x.demo", vehicles=[truck(1, True), truck(2, False)])
    left = spare_trucks(carrier, [needs_of(load(hazmat="8"))])
    assert [t["id"] for t in left] == [2]
    assert not any(fits(t, needs_of(load(hazmat="8"))) for t in left)


def test_a_plain_commitment_spares_the_certified_truck():
    """A plain load goes on the plain truck, so the carrier can still bid for a hazardous one."""
    carrier = Carrier(session=None, name="c", login="c@x.demo", vehicles=[truck(1, True), truck(2, False)])
    assert [t["id"] for t in spare_trucks(carrier, [needs_of(load())])] == [1]
    assert spare_trucks(carrier, [needs_of(load()), needs_of(load())]) == []


def test_a_driver_out_of_hours_is_passed_over_not_every_truck():
    """Before: a refusal naming the driver (out of driving hours) was held against the truck, so the next tries
    paired the same driver with each other truck, every one was refused, and the demo's day never ended."""
    import random

    from server.demo.api import ApiError
    from server.demo.cast import Cast
    from server.demo.market import Market

    class Session:
        organisation_id = 7

        def __init__(self):
            self.tried = []

        def get(self, path):  # the options say nothing of hours here: the refusal must still be kept apart
            return {"vehicles": [{"id": 1}, {"id": 2}], "drivers": [{"id": 1}, {"id": 2}]}

        def post(self, path, body):
            self.tried.append((body["vehicle_id"], body["driver_id"]))
            if body["driver_id"] == 1:
                raise ApiError("POST", path, 422, "The truck or driver cannot take this load.", "bad_assignment",
                               [{"path": "driver_id", "message": "That day would take 12.8 h of driving"}])
            return {"status": "assigned"}

    session = Session()
    carrier = Carrier(session=session, name="c", login="c@x.demo", vehicles=[truck(1, False), truck(2, False)],
                      drivers=[{"id": 1, "name": "Tired", "hazmat_certified": False},
                               {"id": 2, "name": "Fresh", "hazmat_certified": False}])
    market = Market(Cast(seller=None, buyers={}, carriers={7: carrier}), pace=None, timers=None, rng=random.Random(1))
    awarded = {**load(), "id": 5, "reference": "L-5", "status": "awarded", "carrier_id": 7}
    for _ in range(2):
        try:
            market._assign(awarded, {5: awarded})
        except ApiError:
            pass
    assert session.tried == [(1, 1), (1, 2)] and awarded["status"] == "assigned"


def test_an_offered_slot_that_fell_inside_the_lead_time_is_passed_for_the_next():
    """Before: at 3600x the first offered slot could fall inside the plant's booking lead time while the
    dispatcher chose it; the 422 ``lead_time`` counted as a failed demo step instead of trying the next slot."""
    from server.demo.api import ApiError
    from server.demo.cast import Cast
    from server.demo.pickup import Pickup

    class Session:
        organisation_id = 7

        def __init__(self):
            self.booked = []

        def get(self, path):
            if path.endswith("/appointment"):
                raise ApiError("GET", path, 404, "No appointment.")
            return {"slots": [{"dock_id": 1, "dock_name": "Dock 1", "start": "2030-06-03T08:00:00+00:00"},
                              {"dock_id": 1, "dock_name": "Dock 1", "start": "2030-06-03T09:00:00+00:00"}]}

        def post(self, path, body):
            if body["start"].startswith("2030-06-03T08"):
                raise ApiError("POST", path, 422, "A slot must be booked at least 60 minutes before it starts.",
                               "lead_time")
            self.booked.append(body["start"])
            return {}

    session = Session()
    carrier = Carrier(session=session, name="c", login="c@x.demo")
    pickup = Pickup(Cast(seller=None, buyers={}, carriers={7: carrier}))
    pickup._book_first_slot({"id": 5, "reference": "L-5", "carrier_id": 7})
    assert session.booked == ["2030-06-03T09:00:00+00:00"]
