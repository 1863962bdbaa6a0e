"""Behaviour of ``solve`` on one tiny fixture per constraint type."""

from __future__ import annotations

from dataclasses import replace

from server.engines.routing.model import Objective, TimeWindow
from server.engines.routing.result import DropReason, Status
from tests.server.engines.routing.routing_fixtures import load, quick_solve, route_of, stop_ids


def test_capacity_in_every_dimension_is_respected():
    """Pallets (the second dimension) bind: no route carries more than 2 pallets."""
    result = quick_solve(load("capacity_multi_dim.json"))
    assert result.status == Status.FEASIBLE and not result.dropped
    assert result.vehicles_used == 2
    for route in result.routes:
        assert route.start_load[1] <= 2 and route.start_load[0] <= 1000
        assert route.stops[-1].load == (0, 0)
        assert route.stops[0].load == (route.start_load[0] - 100, route.start_load[1] - 1)


def test_time_windows_decide_the_order():
    """The far stop's early window forces it first, and every service starts inside its window."""
    result = quick_solve(load("time_windows.json"))
    (route,) = result.routes
    assert stop_ids(route) == ["far", "near"]
    far, near = route.stops
    assert far.start <= 25 and 60 <= near.start <= 80
    assert near.arrival <= near.start  # waits for the window to open


def test_service_times_delay_departure_and_next_arrival():
    """Departure is start plus service time; the next arrival is at least departure plus travel."""
    result = quick_solve(load("service_times.json"))
    (route,) = result.routes
    a, b = route.stops
    assert a.departure == a.start + 30
    assert b.arrival >= a.departure + 10
    assert b.departure == b.start + 45 and b.start <= 55


def test_pickup_precedes_delivery_on_the_same_vehicle():
    """Each delivery follows its pickup on the same route, and 6+6 > 10 keeps pairs from overlapping."""
    result = quick_solve(load("pickup_delivery.json"))
    assert not result.dropped
    route_of_stop = {s.stop_id: (r, k) for r, route in enumerate(result.routes) for k, s in enumerate(route.stops)}
    for pickup, delivery in (("p1", "d1"), ("p2", "d2")):
        assert route_of_stop[pickup][0] == route_of_stop[delivery][0]
        assert route_of_stop[pickup][1] < route_of_stop[delivery][1]
    for route in result.routes:
        assert route.start_load == (0,)
        assert all(0 <= stop.load[0] <= 10 for stop in route.stops)
        assert route.stops[-1].load == (0,)


def test_multi_depot_vehicles_serve_stops_near_their_depot():
    """Each vehicle serves the stops near its own depot and ends at its own end depot."""
    problem = load("multi_depot.json")
    result = quick_solve(problem)
    assert sorted(stop_ids(route_of(result, "w"))) == ["w1", "w2"]
    east = route_of(result, "e")
    assert sorted(stop_ids(east)) == ["e1", "e2"]
    # east -> e1/e2 -> middle: roughly 3 + 1.4 + 47 + ... far less than returning east and back
    assert 49 < east.distance < 52


def test_mixed_fleet_uses_the_cheaper_vehicle():
    """Under the cost objective fixed and per-km costs pick the van over the truck, and route cost adds both."""
    result = quick_solve(load("mixed_fleet.json"), objective=Objective.COST)
    (route,) = result.routes
    assert route.vehicle_id == "van"
    assert abs(route.cost - (20 + 1.0 * route.distance)) < 1e-9


def test_mixed_fleet_heavy_stop_needs_the_truck():
    """A stop only the truck can carry is served by the truck."""
    problem = load("mixed_fleet.json")
    heavy = replace(problem.stops[0], demand=(50,))
    result = quick_solve(replace(problem, stops=(heavy, problem.stops[1])))
    assert "a" in stop_ids(route_of(result, "truck"))
    assert not result.dropped


def test_shift_max_duration_splits_routes():
    """A 100-unit shift cannot serve both far stops, so two vehicles are used."""
    result = quick_solve(load("shift_max_duration.json"))
    assert result.vehicles_used == 2 and not result.dropped
    assert all(route.duration <= 100 for route in result.routes)


def test_break_is_scheduled_in_its_window_outside_service():
    """The 30-unit break starts in [40, 50] and overlaps no service."""
    result = quick_solve(load("breaks.json"))
    (route,) = result.routes
    (brk,) = route.breaks
    assert 40 <= brk.start <= 50 and brk.duration == 30
    for stop in route.stops:
        assert stop.departure <= brk.start or stop.start >= brk.start + brk.duration
    assert route.end_time >= 60 + 60 + 30 + 30  # travel + service + break


def test_dropped_stops_carry_their_reasons():
    """Unservable and unprofitable stops are dropped, each with the right reason."""
    result = quick_solve(load("optional_drop.json"))
    reasons = {d.stop_id: d.reason for d in result.dropped}
    assert reasons == {
        "far_optional": DropReason.PENALTY_CHEAPER.value,
        "too_heavy": DropReason.DEMAND_EXCEEDS_EVERY_VEHICLE.value,
        "too_early": DropReason.TIME_WINDOW_UNREACHABLE.value,
    }
    assert sorted(stop_ids(result.routes[0])) == ["ok", "worth_it"]
    assert result.status == Status.FEASIBLE


def test_hierarchical_objective_uses_fewer_vehicles_than_distance():
    """Distance splits the two stops over two vehicles; hierarchical uses one, longer route."""
    problem = load("hierarchical.json")
    by_distance = quick_solve(problem, objective=Objective.DISTANCE)
    assert by_distance.vehicles_used == 2 and abs(by_distance.total_distance - 40) < 1e-9
    fewest = quick_solve(problem, seconds=2.0, objective=Objective.HIERARCHICAL)
    assert fewest.vehicles_used == 1 and abs(fewest.total_distance - 120) < 1e-9


def test_vehicle_shift_window_limits_when_it_can_work():
    """A shift starting at 50 cannot reach the stop that closes at 25; the other is served."""
    problem = load("time_windows.json")
    late = replace(problem.vehicles[0], shift=TimeWindow(50, 1000))
    result = quick_solve(replace(problem, vehicles=(late,)))
    assert [(d.stop_id, d.reason) for d in result.dropped] == [("far", DropReason.TIME_WINDOW_UNREACHABLE.value)]
    (route,) = result.routes
    assert route.start_time >= 50 and stop_ids(route) == ["near"]
