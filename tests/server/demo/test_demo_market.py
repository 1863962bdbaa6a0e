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
