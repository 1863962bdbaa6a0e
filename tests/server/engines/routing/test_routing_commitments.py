"""Stops pinned to vehicles (committed trucks) and open routes that end at the last stop."""

import pytest

from server.engines.common import Limits
from server.engines.routing import solve
from server.engines.routing.open_end import OPEN_END
from server.engines.routing.portfolio import engines_for
from server.engines.routing.serialize import problem_from_dict
from server.engines.routing.validation import RoutingValidationError


def _problem(stops, vehicles=None, open_end=False, max_duration=None, pairs=()):
    # Locations on a line: 0 is the depot, then 10, 20, 30 ... km away; 1 km takes 60 s.
    size = 6
    distances = [[abs(a - b) * 10.0 for b in range(size)] for a in range(size)]
    durations = [[abs(a - b) * 600.0 for b in range(size)] for a in range(size)]
    vehicles = vehicles or [{"id": "A"}, {"id": "B"}]
    return problem_from_dict({
        "matrix": {"distances": distances, "durations": durations},
        "depots": [{"id": "d", "location": 0}],
        "vehicles": [{"start_depot": "d", "capacity": [10], "open_end": open_end, "max_duration": max_duration}
                     | v for v in vehicles],
        "stops": stops, "pairs": list(pairs)})


def test_a_pinned_stop_is_served_only_by_its_vehicle():
    """Both stops sit together, so one vehicle would do; the pins keep each on its own truck."""
    problem = _problem([{"id": "s1", "location": 3, "demand": [1], "vehicles": ["A"]},
                        {"id": "s2", "location": 3, "demand": [1], "vehicles": ["B"]}])
    result = solve(problem, Limits(time_limit_s=1, seed=1))
    served = {stop.stop_id: route.vehicle_id for route in result.routes for stop in route.stops}
    assert served == {"s1": "A", "s2": "B"}


def test_a_stop_its_vehicle_cannot_serve_is_left_out_with_that_reason():
    problem = _problem([{"id": "s1", "location": 3, "demand": [1], "vehicles": ["A"], "optional": True,
                         "drop_penalty": 1000.0}],
                       vehicles=[{"id": "A", "capacity": [0]}, {"id": "B"}])
    result = solve(problem, Limits(time_limit_s=1, seed=1))
    assert [d.reason for d in result.dropped] == ["the vehicle it is committed to cannot serve it in time"]


def test_pins_name_known_vehicles():
    with pytest.raises(RoutingValidationError) as err:
        _problem([{"id": "s1", "location": 3, "vehicles": ["Z"]}])
    assert err.value.errors[0][0] == "stops/0/vehicles/0"


def test_pinned_stops_go_to_ortools_because_pyvrp_cannot_pin():
    pinned = _problem([{"id": "s1", "location": 3, "demand": [1], "vehicles": ["A"]}])
    free = _problem([{"id": "s1", "location": 3, "demand": [1]}])
    assert engines_for(pinned, Limits(time_limit_s=5, threads=2)) == ("ortools",)
    assert "pyvrp" in engines_for(free, Limits(time_limit_s=5, threads=2))


def test_an_open_route_ends_at_its_last_stop_and_fits_a_shift_a_return_would_break():
    """Out 50 km and back is 100 min; the shift allows 60: only the open route serves the stop."""
    stops = [{"id": "far", "location": 5, "demand": [1], "optional": True, "drop_penalty": 10_000.0}]
    closed = solve(_problem(stops, vehicles=[{"id": "A"}], max_duration=3600.0), Limits(time_limit_s=1, seed=1))
    opened = solve(_problem(stops, vehicles=[{"id": "A"}], max_duration=3600.0, open_end=True),
                   Limits(time_limit_s=1, seed=1))
    assert [d.stop_id for d in closed.dropped] == ["far"]
    assert opened.dropped == () and [s.stop_id for s in opened.routes[0].stops] == ["far"]
    assert opened.routes[0].distance == pytest.approx(50.0)
    assert opened.routes[0].end_time == pytest.approx(opened.routes[0].stops[-1].departure)


def test_open_and_closed_vehicles_share_one_problem():
    problem = _problem([{"id": "s1", "location": 2, "demand": [1]}], vehicles=[{"id": "A", "open_end": True},
                                                                              {"id": "B"}])
    assert [v.end_depot for v in problem.vehicles] == [OPEN_END, "d"]
    assert problem.matrix.size == 7 and problem.depot(OPEN_END).location == 6


def test_every_ortools_run_starts_from_an_insertion_and_guided_local_search_polishes(monkeypatch):
    """The app's problems (breaks, pins) go to OR-Tools: insertion first, then guided local search."""
    from server.engines.routing import strategy
    from server.engines.routing.search import FSS, LSM

    specs = []
    real_run = strategy.run

    def recording_run(built, spec, clock, start=None, label="search"):
        specs.append(spec)
        return real_run(built, spec, clock, start=start, label=label)

    monkeypatch.setattr(strategy, "run", recording_run)
    problem = _problem([{"id": "s1", "location": 3, "demand": [1], "vehicles": ["A"]},
                        {"id": "s2", "location": 4, "demand": [1]}])
    solve(problem, Limits(time_limit_s=1, seed=1))
    insertions = {FSS.PARALLEL_CHEAPEST_INSERTION, FSS.LOCAL_CHEAPEST_INSERTION}
    assert specs and all(spec.first_solution in insertions for spec in specs)
    assert any(spec.metaheuristic == LSM.GUIDED_LOCAL_SEARCH and not spec.ils for spec in specs)


def _grouped(stops, vehicles=None):
    problem = _problem(stops, vehicles=vehicles, pairs=[{"pickup": 0, "delivery": 1}, {"pickup": 2, "delivery": 3}])
    from dataclasses import replace

    from server.engines.routing.validation import validate_problem

    return validate_problem(replace(problem, together=((0, 1, 2, 3),)))


def test_a_group_is_served_whole_by_one_vehicle():
    """Two drops of one load, in opposite directions: still one truck for both."""
    stops = [{"id": "p0", "location": 1, "demand": [4]}, {"id": "d0", "location": 5, "demand": [4]},
             {"id": "p1", "location": 1, "demand": [4]}, {"id": "d1", "location": 2, "demand": [4]}]
    result = solve(_grouped(stops), Limits(time_limit_s=1, seed=1))
    assert result.dropped == () and len(result.routes) == 1 and len(result.routes[0].stops) == 4


def test_a_group_with_an_unservable_member_is_left_out_whole():
    stops = [{"id": "p0", "location": 1, "demand": [4], "optional": True, "drop_penalty": 100.0},
             {"id": "d0", "location": 5, "demand": [4], "optional": True, "drop_penalty": 100.0},
             {"id": "p1", "location": 1, "demand": [40], "optional": True, "drop_penalty": 100.0},
             {"id": "d1", "location": 2, "demand": [40], "optional": True, "drop_penalty": 100.0}]
    result = solve(_grouped(stops), Limits(time_limit_s=1, seed=1))
    assert sorted(d.stop_id for d in result.dropped) == ["d0", "d1", "p0", "p1"]


def test_a_group_pinned_to_two_vehicles_cannot_be_served():
    stops = [{"id": "p0", "location": 1, "demand": [1], "vehicles": ["A"], "optional": True, "drop_penalty": 9.0},
             {"id": "d0", "location": 5, "demand": [1], "vehicles": ["A"], "optional": True, "drop_penalty": 9.0},
             {"id": "p1", "location": 1, "demand": [1], "vehicles": ["B"], "optional": True, "drop_penalty": 9.0},
             {"id": "d1", "location": 2, "demand": [1], "vehicles": ["B"], "optional": True, "drop_penalty": 9.0}]
    result = solve(_grouped(stops), Limits(time_limit_s=1, seed=1))
    assert {d.reason for d in result.dropped} == {"no vehicle can serve every stop of its group"}


def test_the_checker_refuses_a_split_group():
    from server.engines.routing.feasibility import plan_errors
    from server.engines.routing.scaling import scale_problem

    stops = [{"id": "p0", "location": 1, "demand": [1]}, {"id": "d0", "location": 5, "demand": [1]},
             {"id": "p1", "location": 1, "demand": [1]}, {"id": "d1", "location": 2, "demand": [1]}]
    problem = _grouped(stops)
    assert plan_errors(problem, scale_problem(problem), [[0, 1], [2, 3]]) == ["group 0 is split or only partly served"]
    assert plan_errors(problem, scale_problem(problem), [[0, 1, 2, 3], []]) == []
