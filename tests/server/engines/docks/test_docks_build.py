"""Tests for server/engines/docks/build.py, durations.py and model.py."""

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.engines.docks import (
    NO_COMPATIBLE_DOCK,
    NO_OPENING_FITS,
    DockValidationError,
    Equipment,
    Rate,
    RateTable,
    build_problem,
    minutes_since,
)
from tests.server.engines.docks.docks_helpers import FixedMinutes, read_fixture

PALLET = {
    "id": "D1",
    "site": "plant",
    "equipment": ["pallet_dock"],
    "opening": [[360, 1320]],
    "breaks": [[720, 750]],
}


def test_every_bad_field_is_reported_with_its_path():
    """Invalid docks and loads raise one error listing each bad field's path."""
    data = read_fixture("bad_input.json")
    with pytest.raises(DockValidationError) as caught:
        build_problem(data["docks"], data["loads"])
    paths = {path for path, _ in caught.value.errors}
    assert set(data["expected_paths"]) <= paths
    assert isinstance(caught.value, ValueError)


def test_nan_arrival_is_called_not_finite():
    """A NaN time is rejected as not finite rather than crashing."""
    with pytest.raises(DockValidationError) as caught:
        build_problem(
            [PALLET], [{"id": "L", "site": "plant", "equipment": "pallet_dock", "arrival": math.nan}]
        )
    assert caught.value.errors == [("loads/0/arrival", "must be a finite number")]


def test_negative_duration_from_policy_is_an_error():
    """A duration policy that returns a non-positive time is reported at the load's duration path."""
    loads = [{"id": "L", "site": "plant", "equipment": "pallet_dock", "arrival": 400}]
    with pytest.raises(DockValidationError) as caught:
        build_problem([PALLET], loads, durations=FixedMinutes({"L": -5}))
    assert caught.value.errors[0][0] == "loads/0/duration"


def test_rate_table_refuses_negative_rates():
    """A rate table with a negative rate is refused when it is made."""
    with pytest.raises(ValueError, match="per_pallet"):
        RateTable({"pallet_dock": Rate(setup=10, per_pallet=-1)})


def test_default_durations_follow_the_rate_table():
    """Setup plus per-pallet or per-tonne minutes, scaled by dock speed and rounded up."""
    docks = [PALLET, {"id": "D2", "site": "plant", "equipment": ["liquid_arm"], "speed": 2.0}]
    loads = [
        {"id": "P", "site": "plant", "equipment": "pallet_dock", "pallets": 33, "arrival": 400},
        {"id": "Q", "site": "plant", "equipment": "liquid_arm", "tonnes": 25, "arrival": 400},
    ]
    problem = build_problem(docks, loads)
    assert problem.duration[0] == {0: math.ceil(12 + 0.6 * 33)}
    assert problem.duration[1] == {1: math.ceil((20 + 25) / 2.0)}


def test_closed_times_cover_outside_opening_hours_and_breaks():
    """A dock's closed times are everything outside its opening windows plus its breaks."""
    docks = [PALLET, {"id": "D2", "site": "plant", "equipment": ["bulk_chute"], "opening": [[0, 1440]]}]
    problem = build_problem(docks, [])
    assert problem.closed[0] == ((0, 360), (720, 750), (1320, 1440))
    assert problem.closed[1] == ()
    assert (problem.day_start, problem.horizon) == (0, 1440)


def test_impossible_loads_get_their_reason():
    """Loads no dock has equipment for, or that fit in no open gap, are marked with why."""
    loads = [
        {"id": "liquid", "site": "plant", "equipment": "liquid_arm", "tonnes": 20, "arrival": 400},
        {"id": "elsewhere", "site": "south", "equipment": "pallet_dock", "arrival": 400},
        {"id": "huge", "site": "plant", "equipment": "pallet_dock", "arrival": 400},
        {"id": "late", "site": "plant", "equipment": "pallet_dock", "arrival": 1300},
        {"id": "fine", "site": "plant", "equipment": "pallet_dock", "arrival": 400},
    ]
    minutes = {"liquid": 30, "elsewhere": 30, "huge": 600, "late": 30, "fine": 30}
    problem = build_problem([PALLET], loads, durations=FixedMinutes(minutes))
    assert dict(problem.impossible) == {
        0: NO_COMPATIBLE_DOCK,
        1: NO_COMPATIBLE_DOCK,
        2: NO_OPENING_FITS,
        3: NO_OPENING_FITS,
    }
    assert problem.free_loads == (4,)


def test_due_defaults_to_never_late_and_equipment_is_typed():
    """A load without due can never be late, and strings become Equipment values."""
    problem = build_problem(
        [PALLET], [{"id": "L", "site": "plant", "equipment": "pallet_dock", "arrival": 400}]
    )
    assert problem.loads[0].due >= problem.horizon
    assert problem.loads[0].equipment is Equipment.PALLET_DOCK


def test_pins_are_checked():
    """Pins on unknown loads, incompatible docks or overlapping each other are refused."""
    docks = [PALLET, {"id": "D2", "site": "plant", "equipment": ["liquid_arm"]}]
    loads = [{"id": f"L{k}", "site": "plant", "equipment": "pallet_dock", "arrival": 400} for k in range(3)]
    pins = [
        {"load": "nope", "dock": "D1", "start": 400},
        {"load": "L0", "dock": "D2", "start": 400},
        {"load": "L1", "dock": "D1", "start": 400},
        {"load": "L2", "dock": "D1", "start": 410},
    ]
    with pytest.raises(DockValidationError) as caught:
        build_problem(docks, loads, pins=pins, durations=FixedMinutes({"L0": 30, "L1": 30, "L2": 30}))
    assert [path for path, _ in caught.value.errors] == ["pins/0/load", "pins/1/dock", "pins/3"]


def test_minutes_since_needs_aware_datetimes():
    """Aware datetimes convert to whole minutes from the day start; naive ones are refused."""
    start = datetime(2025, 3, 1, tzinfo=UTC)
    moment = datetime(2025, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert minutes_since(start, moment) == 7 * 60 + 30
    with pytest.raises(ValueError):
        minutes_since(start, datetime(2025, 3, 1, 8, 30))
