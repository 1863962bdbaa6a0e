"""Whether a truck can carry a load."""

from server.market.qualification import (
    LoadNeeds,
    Truck,
    parse_hazmat,
    qualified,
    shortfalls,
    why_none_qualifies,
)

NEEDS = LoadNeeds("pallet_dock", weight_kg=20000, volume_m3=60, pallets=30, hazmat_classes=("3",))
GOOD = Truck(1, 9, ("pallet_dock", "side_loader"), 24000, 90, 33, True)


def test_a_fitting_certified_truck_qualifies():
    """Equipment, capacity and certification all met: no shortfall."""
    assert shortfalls(NEEDS, GOOD) == [] and qualified(NEEDS, [GOOD]) == [GOOD]


def test_every_shortfall_is_named():
    """Wrong equipment, too little weight, volume and pallets, and no certification are all listed."""
    bad = Truck(2, 9, ("liquid_arm",), 10000, 30, 0, False)
    gaps = shortfalls(NEEDS, bad)
    assert len(gaps) == 5 and gaps[0] == "equipment pallet_dock" and "hazmat" in gaps[-1]


def test_why_none_qualifies_merges_the_gaps_of_all_trucks():
    """The refusal lists each distinct gap once; with no truck it says so."""
    small = Truck(3, 9, ("pallet_dock",), 7500, 90, 33, True)
    assert why_none_qualifies(NEEDS, [small, small]) == ["weight capacity 20000 kg"]
    assert why_none_qualifies(NEEDS, []) == ["no active vehicle"]


def test_hazmat_classes_parse_from_the_stored_string():
    """'3, 8' becomes ('3', '8'); empty means not hazardous."""
    assert parse_hazmat("3, 8") == ("3", "8") and parse_hazmat("") == () and parse_hazmat(None) == ()
