"""Load building on one tiny named fixture per rule (tests/data/loadbuilding/*.json)."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from server.engines.common import Limits
from server.engines.loadbuilding import LoadProblem, Order, OrderLine, PlanStatus, VehicleType, solve
from tests.server.engines.loadbuilding.loadbuilding_fixtures import check_plan, load, quick


def _by_line(plan):
    out = {}
    for k, ld in enumerate(plan.loads):
        for a in ld.allocations:
            out.setdefault(a.line_id, []).append((k, a.quantity))
    return out


def test_weight_bound_needs_two_trucks():
    """Three 10 t coils on 24 t trucks take two trucks although volume and pallets would fit one."""
    plan = quick(load("weight_bound.json"))
    assert len(plan.loads) == 2
    assert plan.status == PlanStatus.OPTIMAL and plan.lower_bound_trucks == 2
    assert max(ld.utilisation.weight_kg for ld in plan.loads) > 0.8


def test_volume_bound_needs_two_trucks():
    """200 bales of 0.5 m³ exceed one truck's 90 m³ although they weigh only 6 t."""
    plan = quick(load("volume_bound.json"))
    assert len(plan.loads) == 2 and plan.status == PlanStatus.OPTIMAL
    assert all(ld.totals.volume_m3 <= 90 for ld in plan.loads)
    assert max(ld.utilisation.volume_m3 for ld in plan.loads) > 0.9


def test_pallet_bound_needs_two_trucks():
    """40 pallets exceed 33 pallet positions although weight and volume fit one truck."""
    plan = quick(load("pallet_bound.json"))
    assert len(plan.loads) == 2 and plan.status == PlanStatus.OPTIMAL
    assert sorted(ld.totals.pallets for ld in plan.loads)[-1] <= 33


def test_mixed_fleet_picks_cheapest_not_fewest():
    """Two rigid trucks (2 x 200) beat the single articulated truck (500) that would also carry 22.8 t."""
    plan = quick(load("mixed_fleet.json"))
    assert plan.cost == 400
    assert [ld.vehicle_type for ld in plan.loads] == ["rigid", "rigid"]
    assert plan.lower_bound_cost == 400 and plan.status == PlanStatus.OPTIMAL


def test_mixed_fleet_uses_articulated_when_rigids_run_out():
    """With one rigid truck available, the plan switches to the articulated truck."""
    data = load("mixed_fleet.json")
    fleet = tuple(VehicleType(vt.id, vt.max_weight_kg, vt.max_volume_m3, vt.pallet_positions, vt.cost,
                              1 if vt.id == "rigid" else None) for vt in data.vehicle_types)
    plan = quick(LoadProblem(fleet, data.orders, data.lines))
    assert not plan.unplaced
    assert sum(ld.vehicle_type == "rigid" for ld in plan.loads) <= 1
    assert plan.cost == 500  # one articulated truck carries all 22.8 t


def test_splittable_line_split_in_whole_units():
    """25 pallets of 1.1 t go 21 + 4 (whole units) on 24 t trucks."""
    plan = quick(load("split_whole_units.json"))
    parts = sorted(q for _, q in _by_line(plan)["1"])
    assert parts == [4, 21] and all(isinstance(q, int) for q in parts)


def test_non_splittable_lines_stay_whole():
    """Three whole 14 t lines need three trucks; each line rides complete on one of them."""
    plan = quick(load("non_splittable.json"))
    assert len(plan.loads) == 3
    assert all(parts == [(parts[0][0], 14)] for parts in _by_line(plan).values())


def test_incompatible_hazmat_never_share_a_truck():
    """Flammable liquid (3) and oxidiser (5.1) go on separate trucks; class 9 rides with either."""
    plan = quick(load("hazmat.json"))
    where = _by_line(plan)
    assert len(plan.loads) == 2
    assert {k for k, _ in where["paint"]}.isdisjoint({k for k, _ in where["peroxide"]})


def test_hazmat_table_can_be_overridden():
    """With an empty segregation table the same goods share one truck."""
    plan = quick(load("hazmat.json", hazmat_segregation=[]))
    assert len(plan.loads) == 1


def test_hazmat_override_adds_a_rule():
    """An override pair (9 with 3) separates classes the default table lets travel together."""
    plan = quick(load("hazmat.json", hazmat_segregation=[["9", "3"], ["3", "5.1"], ["9", "5.1"]]))
    assert len(plan.loads) == 3


def test_lane_consolidation_with_stop_limits():
    """Close shops share trucks two stops at a time; the far shop and the other plant go alone."""
    plan = quick(load("lanes.json"))
    assert len(plan.loads) == 4
    stops = sorted(sorted(ld.stops) for ld in plan.loads)
    assert ["ShopC"] in stops
    assert sum(len(s) == 2 for s in stops) == 1
    assert {ld.pickup_site for ld in plan.loads} == {"Plant", "Plant2"}


def test_lanes_without_limits_consolidate_everything_per_plant():
    """Without stop rules, all orders from one plant fit one truck."""
    plan = quick(load("lanes.json", max_stops=None, max_stop_distance_km=None))
    assert len(plan.loads) == 2


def test_unplaceable_lines_come_back_with_reasons():
    """A 30 t unit and a whole 26 t line are reported unplaced; the rest is still planned."""
    plan = quick(load("unplaceable.json"))
    reasons = {u.line_id: u.reason for u in plan.unplaced}
    assert set(reasons) == {"transformer", "girders"}
    assert "one unit" in reasons["transformer"] and "weight" in reasons["transformer"]
    assert "non-splittable" in reasons["girders"]
    assert [ld.vehicle_type for ld in plan.loads] == ["rigid"]  # the tank may only ride a rigid truck
    assert plan.status == PlanStatus.PARTIAL  # issue 18: a plan that leaves lines out is never "optimal"


def test_no_available_vehicle_is_a_reason_not_an_error():
    """A line whose only allowed vehicle type has a count of zero is unplaced with a reason."""
    data = load("unplaceable.json")
    fleet = tuple(VehicleType(vt.id, vt.max_weight_kg, vt.max_volume_m3, vt.pallet_positions, vt.cost,
                              0 if vt.id == "rigid" else None) for vt in data.vehicle_types)
    plan = quick(LoadProblem(fleet, data.orders, data.lines))
    assert "no vehicle" in {u.line_id: u.reason for u in plan.unplaced}["tank"]


def test_fleet_exhausted_leaves_units_unplaced():
    """One truck for 40 pallets carries 33 and reports 7 as unplaced."""
    data = load("pallet_bound.json")
    vt = data.vehicle_types[0]
    fleet = (VehicleType(vt.id, vt.max_weight_kg, vt.max_volume_m3, vt.pallet_positions, vt.cost, 1),)
    plan = quick(LoadProblem(fleet, data.orders, data.lines))
    assert len(plan.loads) == 1 and [u.quantity for u in plan.unplaced] == [7]
    assert plan.status == PlanStatus.PARTIAL


def _busy_problem(n: int = 70, seed: int = 3) -> LoadProblem:
    rng = random.Random(seed)
    fleet = (VehicleType("rigid", 12000, 45, 15, 210), VehicleType("artic", 24000, 90, 33, 380),
             VehicleType("van", 1500, 14, 5, 95))
    orders = tuple(Order(f"o{k}", f"P{k % 2}", f"S{k}", 50 + rng.random(), 7 + rng.random()) for k in range(n // 2))
    lines = tuple(OrderLine(f"o{k % len(orders)}", f"l{k}", rng.randint(1, 12), rng.uniform(50, 1500),
                            rng.uniform(0.05, 3.0), rng.choice([0, 0.5, 1]),
                            rng.choice([None, None, None, "3", "5.1", "8", "9"]), rng.random() < 0.6)
                  for k in range(n))
    return LoadProblem(fleet, orders, lines, max_stops=4, max_stop_distance_km=60)


def test_time_limit_is_honoured():
    """A busy multi-dimensional problem returns a checked plan close to its short time limit."""
    problem = _busy_problem()
    fractions = []
    plan = solve(problem, Limits(time_limit_s=1.0, on_progress=lambda p: fractions.append(p.fraction)))
    check_plan(problem, plan)
    assert plan.loads and fractions and all(0 <= f <= 1 for f in fractions)
    assert plan.seconds < 1.0 + 4.0  # generous: a hang or an ignored limit takes far longer
    assert plan.status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)
    if plan.status == PlanStatus.FEASIBLE:
        assert plan.gap_pct > 0 and plan.lower_bound_cost < plan.cost


def test_should_stop_ends_the_search_with_a_plan():
    """A cancelled solve still returns a complete, checked plan."""
    problem = _busy_problem(seed=5)
    calls = []

    def stop() -> bool:
        calls.append(1)
        return True

    plan = solve(problem, Limits(time_limit_s=30, should_stop=stop))
    check_plan(problem, plan)
    assert calls and plan.loads and plan.seconds < 30


def test_same_seed_same_plan():
    """Two solves with the same seed and a small problem give the same loads."""
    a = quick(load("lanes.json"), seed=7)
    b = quick(load("lanes.json"), seed=7)
    assert a.loads == b.loads


def test_bin_packing_special_case_uses_the_arcflow_path():
    """One vehicle type, one dimension and single-unit lines are solved as bin packing, optimally."""
    sizes = [42, 69, 67, 57, 93, 90, 38, 36, 45, 42, 33, 79, 27, 57, 44, 84, 86, 92, 46, 38]
    problem = LoadProblem((VehicleType("bin", 150, math.inf, math.inf, 1),), (Order("o", "P", "D"),),
                          tuple(OrderLine("o", str(i), 1, float(s), splittable=False) for i, s in enumerate(sizes)))
    messages = []
    plan = solve(problem, Limits(time_limit_s=5, on_progress=lambda p: messages.append(p.message)))
    check_plan(problem, plan)
    assert any(m.startswith("bin packing") for m in messages)
    assert plan.status == PlanStatus.OPTIMAL and len(plan.loads) == plan.lower_bound_trucks == 9  # LP bound; L2 is 8


def test_everything_unplaceable_gives_an_empty_plan():
    """When no line fits any vehicle the plan has no loads and lists every line with a reason."""
    problem = LoadProblem((VehicleType("van", 1000, 10, 4, 90),), (Order("o", "P", "D"),),
                          (OrderLine("o", "1", 1, 5000.0), OrderLine("o", "2", 2, 10.0, 20.0, splittable=False)))
    plan = quick(problem)
    assert plan.loads == () and plan.cost == 0 and len(plan.unplaced) == 2
    assert "volume" in plan.unplaced[1].reason
    assert plan.status == PlanStatus.PARTIAL


@settings(max_examples=12, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_random_problems_give_valid_plans(seed):
    """Random small problems (mixed fleet, limits, hazmat, lanes) always yield plans that obey every rule."""
    rng = random.Random(seed)
    fleet = tuple(VehicleType(f"t{k}", rng.choice([3500, 12000, 24000]), rng.choice([15, 45, 90, math.inf]),
                              rng.choice([6, 15, 33]), rng.randint(50, 500), rng.choice([None, None, 2, 5]))
                  for k in range(rng.randint(1, 3)))
    spots = [(50 + rng.random() * 2, 7 + rng.random() * 2) for _ in range(6)]  # one place per site
    orders = tuple(Order(f"o{k}", rng.choice(["P", "Q"]), f"S{j}", *spots[j])
                   for k in range(rng.randint(1, 6)) for j in [rng.randint(0, 5)])
    lines = tuple(OrderLine(rng.choice(orders).id, f"l{k}", rng.randint(1, 20), rng.uniform(10, 4000),
                            rng.uniform(0, 4), rng.choice([0, 0.5, 1, 2]),
                            rng.choice([None, None, "1.1", "3", "5.1", "8", "2.3"]), rng.random() < 0.5,
                            tuple(rng.sample([v.id for v in fleet], 1)) if rng.random() < 0.2 else ())
                  for k in range(rng.randint(1, 12)))
    problem = LoadProblem(fleet, orders, lines, max_stops=rng.choice([None, 1, 2, 3]),
                          max_stop_distance_km=rng.choice([None, 30.0, 120.0]))
    plan = quick(problem, seconds=0.4, seed=seed)
    assert plan.gap_pct >= 0 and (plan.status != PlanStatus.OPTIMAL or plan.cost == plan.lower_bound_cost)
    assert (plan.status == PlanStatus.PARTIAL) == bool(plan.unplaced)
