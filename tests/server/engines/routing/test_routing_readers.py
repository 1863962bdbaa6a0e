"""Readers for the three benchmark formats and format auto-detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.engines.routing.instances import edge_length, generate_vrptw, to_problem
from server.engines.routing.readers import InstanceFormatError, detect_format, parse_vrplib, read_instance

DATA = Path(__file__).resolve().parents[3] / "data" / "routing"


def test_solomon_reader():
    """Fleet, capacity and the customer rows (depot first) are read from a Solomon file."""
    instance = read_instance(DATA / "solomon_tiny.txt")
    assert (instance.kind, instance.vehicles, instance.capacity, instance.size) == ("vrptw", 3, 30, 6)
    assert instance.ids == (0, 1, 2, 3, 4, 5)
    assert instance.coords[2] == (70.0, 50.0)
    assert (instance.demands[3], instance.ready[5], instance.due[5], instance.service[1]) == (15, 100, 150, 10)


def test_vrplib_reader_numbers_customers_like_cvrplib_solutions():
    """Depot becomes node 0 and customers keep the .sol numbering (file id minus one)."""
    instance = read_instance(DATA / "cvrp_tiny.vrp")
    assert (instance.kind, instance.name, instance.capacity) == ("cvrp", "cvrp_tiny", 10)
    assert instance.ids == (0, 1, 2, 3, 4)
    assert instance.coords[0] == (0.0, 0.0) and instance.demands == (0, 5, 5, 4, 6)
    assert instance.vehicles >= 2


def test_vrplib_reader_keeps_time_windows_of_a_vrptw_file():
    """A VRPLIB file with a TIME_WINDOW_SECTION is a VRPTW: windows, service and fleet are read, not dropped."""
    instance = read_instance(DATA / "vrptw_tiny.vrp")
    assert (instance.kind, instance.vehicles, instance.capacity) == ("vrptw", 2, 20)
    assert instance.ids == (0, 1, 2, 3)
    assert instance.ready == (0.0, 5.0, 20.0, 0.0) and instance.due == (200.0, 50.0, 90.0, 40.0)
    assert instance.service == (0.0, 10.0, 10.0, 10.0)  # the depot serves no one
    assert instance.rounding == "exact"  # Solomon-like: the caller's rounding applies, not CVRP's nint


def test_vrplib_vrptw_without_a_window_for_every_node_is_refused():
    """A node missing from TIME_WINDOW_SECTION is a format error, not a silent unbounded window."""
    text = (DATA / "vrptw_tiny.vrp").read_text().replace("4 0 40\n", "")
    with pytest.raises(InstanceFormatError, match="node 4"):
        parse_vrplib(text)


def test_lilim_reader_pairs_pickups_with_deliveries():
    """Each pickup row's delivery index becomes a (pickup, delivery) pair."""
    instance = read_instance(DATA / "lilim_tiny.txt")
    assert (instance.kind, instance.vehicles, instance.capacity) == ("pdptw", 2, 20)
    assert instance.pairs == ((1, 2), (3, 4))
    assert instance.demands == (0, 10, -10, 7, -7)


def test_detect_format_and_reject_unknown_text():
    """Each fixture is recognised; other text is refused with InstanceFormatError."""
    assert detect_format((DATA / "solomon_tiny.txt").read_text()) == "solomon"
    assert detect_format((DATA / "cvrp_tiny.vrp").read_text()) == "vrplib"
    assert detect_format((DATA / "lilim_tiny.txt").read_text()) == "lilim"
    with pytest.raises(InstanceFormatError):
        detect_format("hello\nworld\n")


def test_rounding_conventions():
    """DIMACS truncates to one decimal, nint rounds, exact keeps the double."""
    a, b = (0.0, 0.0), (1.0, 1.0)  # sqrt(2) = 1.41421...
    assert edge_length(a, b, "dimacs") == 1.4
    assert edge_length(a, (3.0, 4.0), "dimacs") == 5.0
    assert edge_length(a, (0.0, 2.5), "nint") == 3.0
    assert edge_length(a, b, "exact") == pytest.approx(2**0.5)


def test_pdptw_instance_becomes_problem_with_pairs():
    """Li & Lim pairs map to stop-index pairs and the pickup's demand is the load moved."""
    problem = to_problem(read_instance(DATA / "lilim_tiny.txt"), "exact", "hierarchical")
    assert [(p.pickup, p.delivery) for p in problem.pairs] == [(0, 1), (2, 3)]
    assert problem.stops[1].demand == (10,) and problem.distance_scale == 1000


def test_generated_vrptw_is_reproducible():
    """The same seed gives the same instance, with windows inside the horizon."""
    one, two = generate_vrptw(50, 5, seed=3), generate_vrptw(50, 5, seed=3)
    assert one == two and one.size == 51
    assert all(r <= d <= one.due[0] for r, d in zip(one.ready, one.due, strict=True))
