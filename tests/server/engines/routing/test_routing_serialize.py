"""Round trip between JSON-shaped dicts and the engine's problem and result."""

from __future__ import annotations

import json

from server.engines.routing.serialize import result_to_dict
from tests.server.engines.routing.routing_fixtures import load, quick_solve


def test_problem_from_dict_reads_every_field():
    """Breaks, costs, optional flags and pairs in a fixture end up in the problem."""
    breaks = load("breaks.json")
    assert breaks.vehicles[0].breaks[0].duration == 30
    fleet = load("mixed_fleet.json")
    assert (fleet.vehicles[0].fixed_cost, fleet.vehicles[0].cost_per_km) == (200.0, 3.0)
    drops = load("optional_drop.json")
    assert drops.stops[1].optional and drops.stops[1].drop_penalty == 50
    pd = load("pickup_delivery.json")
    assert [(p.pickup, p.delivery) for p in pd.pairs] == [(0, 1), (2, 3)]


def test_result_to_dict_is_json_ready():
    """The result dict serialises to JSON with status, routes, loads and dropped reasons."""
    result = quick_solve(load("optional_drop.json"))
    data = json.loads(json.dumps(result_to_dict(result)))
    assert data["status"] == "feasible"
    assert data["routes"][0]["stops"][0]["load"] in ([1], [2])
    assert {d["stop_id"] for d in data["dropped"]} == {"far_optional", "too_heavy", "too_early"}
