"""Bad routing input is refused with field paths, never a crash."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from server.engines.routing.model import PickupDelivery, TimeWindow
from server.engines.routing.serialize import problem_from_dict
from server.engines.routing.validation import RoutingValidationError, validate_problem
from tests.server.engines.routing.routing_fixtures import DATA, load


def _errors(problem) -> list[tuple[str, str]]:
    with pytest.raises(RoutingValidationError) as caught:
        validate_problem(problem)
    return caught.value.errors


def test_negative_demand_is_refused():
    """A negative demand is reported at stops/<i>/demand/<d>."""
    problem = load("capacity_multi_dim.json")
    bad = replace(problem.stops[1], demand=(100, -1))
    errors = _errors(replace(problem, stops=(problem.stops[0], bad, *problem.stops[2:])))
    assert ("stops/1/demand/1", "must be a non-negative integer") in errors


def test_time_window_start_after_end_is_refused():
    """A window whose start is after its end is reported at stops/<i>/time_window."""
    problem = load("time_windows.json")
    bad = replace(problem.stops[0], time_window=TimeWindow(90, 10))
    errors = _errors(replace(problem, stops=(bad, problem.stops[1])))
    assert any(path == "stops/0/time_window" and "after end" in message for path, message in errors)


def test_invalid_pickup_delivery_indices_are_refused():
    """A pair pointing past the stop list, or reusing a stop, is reported under pairs/<i>."""
    problem = load("pickup_delivery.json")
    errors = _errors(replace(problem, pairs=(PickupDelivery(0, 9), PickupDelivery(2, 2))))
    paths = [path for path, _ in errors]
    assert "pairs/0/delivery" in paths and "pairs/1" in paths


def test_unknown_depot_is_refused():
    """A vehicle naming a depot that does not exist is reported at vehicles/<i>/start_depot."""
    problem = load("multi_depot.json")
    bad = replace(problem.vehicles[1], start_depot="north")
    errors = _errors(replace(problem, vehicles=(problem.vehicles[0], bad)))
    assert ("vehicles/1/start_depot", "unknown depot 'north'") in errors


def test_nan_in_matrix_and_nan_coordinates_are_refused():
    """NaN travel times and NaN coordinates are reported with their paths."""
    data = json.loads((DATA / "time_windows.json").read_text())
    data["matrix"]["durations"][1][2] = math.nan
    with pytest.raises(RoutingValidationError) as caught:
        problem_from_dict(data)
    assert caught.value.errors[0][0] == "matrix/durations/1/2"
    data.pop("matrix")
    data["locations"] = [{"lat": 48.0, "lon": 2.0}, {"lat": math.nan, "lon": 2.1}, {"lat": 48.2, "lon": 2.2}]
    with pytest.raises(RoutingValidationError) as caught:
        problem_from_dict(data)
    assert caught.value.errors[0][0] == "locations/1/lat"


def test_missing_and_mistyped_fields_are_reported_with_paths():
    """Missing required fields and wrong types are all listed, not just the first."""
    data = json.loads((DATA / "time_windows.json").read_text())
    del data["stops"][1]["location"]
    data["vehicles"][0]["capacity"] = "ten"
    data["objective"] = "fastest"
    with pytest.raises(RoutingValidationError) as caught:
        problem_from_dict(data)
    paths = [path for path, _ in caught.value.errors]
    assert "stops/1/location" in paths and "vehicles/0/capacity" in paths and "objective" in paths


def test_valid_fixture_loads_from_locations_with_great_circle():
    """A problem given by coordinates gets a great-circle matrix."""
    data = json.loads((DATA / "time_windows.json").read_text())
    data.pop("matrix")
    data["locations"] = [{"lat": 48.0, "lon": 2.0}, {"lat": 48.1, "lon": 2.0}, {"lat": 48.2, "lon": 2.0}]
    problem = problem_from_dict(data)
    assert problem.matrix.distances[0][1] == pytest.approx(11.12 * 1.3, rel=0.01)
