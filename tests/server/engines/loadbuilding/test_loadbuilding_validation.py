"""Invalid load-building input raises LoadValidationError naming each bad field by path."""

from __future__ import annotations

import copy
import math

import pytest

from server.engines.loadbuilding import (
    LoadProblem,
    LoadValidationError,
    Order,
    OrderLine,
    VehicleType,
    build_problem,
)
from tests.server.engines.loadbuilding.loadbuilding_fixtures import raw


def _errors(data: dict) -> dict[str, str]:
    with pytest.raises(LoadValidationError) as info:
        build_problem(data)
    assert isinstance(info.value, ValueError)
    return dict(info.value.errors)


def _mutated(**edits):
    data = copy.deepcopy(raw("hazmat.json"))
    for path, value in edits.items():
        node = data
        *parents, last = path.split("__")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
    return data


def test_valid_fixture_builds():
    """The hazmat fixture is valid and keeps its lines in order."""
    problem = build_problem(raw("hazmat.json"))
    assert [ln.line_id for ln in problem.lines] == ["paint", "peroxide", "batteries"]


@pytest.mark.parametrize(("edit", "value", "path"), [
    ("lines__1__quantity", -3, "lines/1/quantity"),
    ("lines__1__quantity", 0, "lines/1/quantity"),
    ("lines__0__quantity", 2.5, "lines/0/quantity"),
    ("lines__2__unit_weight_kg", math.nan, "lines/2/unit_weight_kg"),
    ("lines__0__unit_volume_m3", -1, "lines/0/unit_volume_m3"),
    ("lines__0__unit_pallets", math.inf, "lines/0/unit_pallets"),
    ("lines__0__order_id", "nope", "lines/0/order_id"),
    ("lines__0__hazmat_class", "11.7", "lines/0/hazmat_class"),
    ("lines__1__line_id", "paint", "lines/1/line_id"),
    ("vehicle_types__0__max_weight_kg", 0, "vehicle_types/0/max_weight_kg"),
    ("vehicle_types__0__cost", math.nan, "vehicle_types/0/cost"),
    ("vehicle_types__0__count", -1, "vehicle_types/0/count"),
    ("orders__0__delivery_lat", 123.0, "orders/0/delivery_lat"),
    ("max_stops", 0, "max_stops"),
    ("max_stop_distance_km", -5, "max_stop_distance_km"),
])
def test_bad_field_is_named_by_path(edit, value, path):
    """Each bad value is reported at its own field path."""
    assert path in _errors(_mutated(**{edit: value}))


def test_unknown_vehicle_type_reference():
    """A line naming a vehicle type that is not in the fleet is rejected at that list entry."""
    data = _mutated(lines__0__allowed_vehicle_types=["truck", "tanker"])
    assert _errors(data) == {"lines/0/allowed_vehicle_types/1": "unknown vehicle type 'tanker'"}


def test_empty_fleet_is_rejected():
    """A problem without vehicle types cannot be solved."""
    assert "vehicle_types" in _errors(_mutated(vehicle_types=[]))


def test_all_errors_are_reported_at_once():
    """Several bad fields give one error listing all of them."""
    data = _mutated(lines__0__quantity=-1, lines__1__unit_weight_kg=math.nan, vehicle_types__0__cost=-2)
    assert {"lines/0/quantity", "lines/1/unit_weight_kg", "vehicle_types/0/cost"} <= set(_errors(data))


def test_missing_and_mistyped_fields():
    """Missing required fields and non-object records are reported, not crashed on."""
    data = _mutated()
    del data["lines"][0]["quantity"]
    data["orders"].append("not an order")
    errors = _errors(data)
    assert "lines/0/quantity" in errors and "orders/1" in errors


def test_coordinates_required_for_stop_distance():
    """A stop-distance limit needs every order's delivery coordinates."""
    data = _mutated(max_stop_distance_km=50)
    del data["orders"][0]["delivery_lat"]
    assert "orders/0/delivery_lat" in _errors(data)


def test_dataclass_construction_validates_too():
    """Building LoadProblem directly runs the same checks."""
    with pytest.raises(LoadValidationError) as info:
        LoadProblem((VehicleType("t", 1000, 10, 4, 100),), (Order("o", "P", "D"),),
                    (OrderLine("o", "1", 0, 10.0), OrderLine("o", "2", 1, 10.0, allowed_vehicle_types=("x",))))
    assert dict(info.value.errors).keys() == {"lines/0/quantity", "lines/1/allowed_vehicle_types/0"}


def test_unlimited_dimension_is_allowed():
    """A vehicle may leave volume and pallets unlimited (inf); NaN stays invalid."""
    LoadProblem((VehicleType("bulk", 25000, math.inf, math.inf, 100),), (Order("o", "P", "D"),),
                (OrderLine("o", "1", 3, 10.0),))
    with pytest.raises(LoadValidationError):
        LoadProblem((VehicleType("bulk", 25000, math.nan, 1, 100),), (Order("o", "P", "D"),),
                    (OrderLine("o", "1", 3, 10.0),))


def test_bad_segregation_override():
    """A segregation override must be a list of class pairs."""
    assert "hazmat_segregation" in _errors(_mutated(hazmat_segregation=[["3"]]))


def test_one_site_has_one_place():
    """Two orders naming the same delivery site with different coordinates are rejected."""
    data = raw("lanes.json")
    data["orders"][1]["delivery_site"] = "ShopA"  # ShopA is at other coordinates in orders/0
    assert _errors(data) == {"orders/1/delivery_site": "site 'ShopA' has other coordinates in orders/0"}


def test_the_loads_lower_bound_counts_each_pickup_and_skips_what_no_truck_takes():
    """Per pickup site the worst dimension over the largest truck; unplaceable lines add nothing."""
    from server.engines.loadbuilding import build_problem, loads_lower_bound

    problem = build_problem({
        "vehicle_types": [{"id": "big", "max_weight_kg": 24_000, "max_volume_m3": 90, "pallet_positions": 33,
                           "cost": 1}, {"id": "small", "max_weight_kg": 2_800, "max_volume_m3": 36,
                                        "pallet_positions": 15, "cost": 0.5}],
        "orders": [{"id": "a", "pickup_site": "p1", "delivery_site": "d"},
                   {"id": "b", "pickup_site": "p2", "delivery_site": "d"}],
        "lines": [{"order_id": "a", "line_id": "1", "quantity": 100, "unit_weight_kg": 1000, "unit_volume_m3": 0.1},
                  {"order_id": "a", "line_id": "2", "quantity": 1, "unit_weight_kg": 30_000},
                  {"order_id": "b", "line_id": "3", "quantity": 66, "unit_weight_kg": 1, "unit_pallets": 1}],
    })
    assert loads_lower_bound(problem) == 5 + 2
