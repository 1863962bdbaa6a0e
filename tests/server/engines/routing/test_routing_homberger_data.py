"""The shipped Gehring & Homberger sample: every file reads as a 200-customer VRPTW, and the
published best-known routes check feasible at their published distance on it (which catches
a wrong coordinate, demand or window in the copy as well as a reader or checker fault)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from server.bench.routing import SHIPPED_SETS
from server.engines.routing.checker import check_solution
from server.engines.routing.readers import read_instance

SAMPLE = SHIPPED_SETS["homberger200"]
BKS_ROUTES = Path(__file__).resolve().parents[3] / "data" / "routing" / "homberger_bks"


def _sintef_routes(path: Path) -> list[list[int]]:
    """Routes of a SINTEF solution file (``Route k : c1 c2 ...``, customers numbered as in Solomon)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [[int(token) for token in line.split(":", 1)[1].split()] for line in lines if line.startswith("Route")]


def test_every_sample_file_is_a_200_customer_vrptw_with_a_bks_row():
    """Twelve files, two per class, each with 200 customers, a fleet of 50 and a hierarchical BKS."""
    with (SAMPLE / "BKS.csv").open(newline="") as handle:
        bks = {row["instance"]: row for row in csv.DictReader(handle)}
    files = sorted(SAMPLE.glob("*.vrp"))
    assert len(files) == 12
    assert sorted({path.stem.rsplit("_", 2)[0] for path in files}) == ["C1", "C2", "R1", "R2", "RC1", "RC2"]
    for path in files:
        instance = read_instance(path)
        assert (instance.kind, instance.size, instance.vehicles) == ("vrptw", 201, 50), path.name
        assert instance.service[0] == 0 and min(instance.service[1:]) > 0
        assert int(bks[path.stem]["hier_vehicles"]) > 0 and float(bks[path.stem]["dimacs_distance"]) > 0


@pytest.mark.parametrize(("name", "solution", "vehicles", "distance"), [
    ("C1_2_1", "c1_2_1.20_2704.5678.txt", 20, 2704.5678),
    ("R1_2_1", "r1_2_1.20_4784.106.txt", 20, 4784.1060),
])
def test_published_best_known_routes_are_feasible_at_their_distance(name, solution, vehicles, distance):
    """SINTEF's best-known routes, checked on the shipped file, give the published vehicles and distance."""
    report = check_solution(read_instance(SAMPLE / f"{name}.vrp"), _sintef_routes(BKS_ROUTES / solution), "exact")
    assert report.feasible, report.errors
    assert report.vehicles == vehicles
    assert report.cost == pytest.approx(distance, abs=5e-4)
