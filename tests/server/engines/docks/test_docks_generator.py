"""Tests for server/engines/docks/generator.py."""

from collections import Counter

from server.engines.docks import build_problem
from server.engines.docks.generator import plant_day


def test_same_seed_same_day_and_other_seed_other_day():
    """The generator is deterministic per seed."""
    assert plant_day(50, 6, seed=7) == plant_day(50, 6, seed=7)
    assert plant_day(50, 6, seed=7) != plant_day(50, 6, seed=8)


def test_generated_day_has_every_equipment_and_builds():
    """Forty docks cover all four equipment types, most loads are palletised, and the day is valid."""
    docks, loads = plant_day(400, 40, seed=0)
    kinds = {kind for dock in docks for kind in dock["equipment"]}
    assert kinds == {"pallet_dock", "side_loader", "liquid_arm", "bulk_chute"}
    counts = Counter(load["equipment"] for load in loads)
    assert counts["pallet_dock"] > len(loads) / 2
    assert 0 < counts["liquid_arm"] < counts["pallet_dock"]
    problem = build_problem(docks, loads)
    assert len(problem.docks) == 40 and not problem.impossible


def test_arrivals_peak_in_the_morning():
    """More trucks arrive between 06:00 and 08:00 than between 16:00 and 18:00."""
    _, loads = plant_day(1000, 40, seed=1)
    morning = sum(360 <= load["arrival"] < 480 for load in loads)
    evening = sum(960 <= load["arrival"] < 1080 for load in loads)
    assert morning > 2 * evening
