"""Builds PyVRP's ``ProblemData`` for a ``Problem`` (the only place it is constructed).

PyVRP models capacities in several dimensions, time windows, service times, pickup and
delivery pairs (shipments), several depots, a mixed fleet (vehicle types with fixed and
per-distance costs, shifts and shift lengths) and optional stops (prizes). It has no driver
breaks, no way to pin a stop to given vehicles (a committed truck) and no groups of stops on
one vehicle (a multi-drop load), so ``models_fully`` says no to a problem with any of them and
those go to OR-Tools.

Both engines see the same scaled integers (``scaling``) and the same charges (``objective``);
identical vehicles become one vehicle type, and routes map back to the fleet's vehicles in
order. Stops the precheck excluded are left out, as in the OR-Tools model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyvrp

from server.engines.routing.model import Objective, Problem
from server.engines.routing.objective import charges
from server.engines.routing.prechecks import Precheck
from server.engines.routing.scaling import Scaled

RATE_SCALE = 100  # per-km rates (cost objective) become integers in hundredths
UNLIMITED = np.iinfo(np.int64).max


def models_fully(problem: Problem) -> bool:
    """Can PyVRP model every constraint of ``problem``? (Everything but breaks, pinned stops and groups.)"""
    return (not any(vehicle.breaks for vehicle in problem.vehicles) and not any(s.vehicles for s in problem.stops)
            and not problem.together)


@dataclass(frozen=True)
class PyvrpModel:
    """The PyVRP data plus the maps from its clients, shipments and vehicle types back to Haul."""

    data: pyvrp.ProblemData
    client_stop: tuple[int, ...]  # client index -> stop index
    shipment_stops: tuple[tuple[int, int], ...]  # shipment index -> (pickup, delivery) stop indices
    type_vehicles: tuple[tuple[int, ...], ...]  # vehicle type -> Haul vehicle indices


def build_pyvrp(problem: Problem, scaled: Scaled, check: Precheck,
                fleet_cap: Sequence[int] | None = None) -> PyvrpModel:
    """The PyVRP data for the stops not excluded by ``check``.

    ``fleet_cap`` (vehicles allowed per vehicle type, in the order of the uncapped model's
    types) caps the fleet instead of pricing it: the hierarchical objective's distance phase.
    """
    per_vehicle = charges(problem, scaled, fleet_charge=fleet_cap is None)
    cost_scale = RATE_SCALE if problem.objective == Objective.COST else 1
    locations = [pyvrp.Location(x=0.0, y=0.0) for _ in range(problem.matrix.size)]
    depot_index = {depot.id: k for k, depot in enumerate(problem.depots)}
    depots = [pyvrp.Depot(location=d.location, tw_early=scaled.window[k][0], tw_late=scaled.window[k][1])
              for k, d in enumerate(problem.depots)]
    groups: dict[tuple, list[int]] = {}
    for v, vehicle in enumerate(problem.vehicles):
        key = (vehicle.start_depot, vehicle.end_depot, vehicle.capacity, per_vehicle[v], scaled.max_duration[v],
               scaled.shift[v])
        groups.setdefault(key, []).append(v)
    vehicle_types = []
    for t, ((start, end, capacity, charge, max_duration, shift), members) in enumerate(groups.items()):
        start_window = scaled.window[depot_index[start]]
        end_window = scaled.window[depot_index[end]]
        vehicle_types.append(pyvrp.VehicleType(
            num_available=len(members) if fleet_cap is None else min(len(members), fleet_cap[t]),
            capacity=list(capacity), start_depot=depot_index[start],
            end_depot=depot_index[end], fixed_cost=charge.fixed * cost_scale,
            tw_early=max(shift[0], start_window[0]), start_late=min(shift[1], start_window[1]),
            tw_late=min(shift[1], end_window[1]),
            shift_duration=UNLIMITED if max_duration is None else max_duration,
            unit_distance_cost=round(charge.rate * cost_scale)))
    # Mandatory stops are required clients: measured on Solomon, PyVRP finds better plans so
    # than with a prohibitive prize for leaving them out (the OR-Tools model's way).
    clients, client_stop, shipments, shipment_stops = _visits(problem, scaled, check, cost_scale)
    distances = np.asarray(scaled.distance, dtype=np.int64)
    durations = np.asarray(scaled.travel, dtype=np.int64)
    np.fill_diagonal(distances, 0)
    np.fill_diagonal(durations, 0)
    data = pyvrp.ProblemData(locations=locations, clients=clients, depots=depots, vehicle_types=vehicle_types,
                             distance_matrices=[distances], duration_matrices=[durations], shipments=shipments)
    return PyvrpModel(data, tuple(client_stop), tuple(shipment_stops), tuple(tuple(m) for m in groups.values()))


def _visits(problem: Problem, scaled: Scaled, check: Precheck, cost_scale: int) -> tuple[list, list, list, list]:
    dims = len(problem.dimensions)
    paired = {p.pickup for p in problem.pairs} | {p.delivery for p in problem.pairs}

    def demand(stop: int) -> list[int]:
        return list(problem.stops[stop].demand or (0,) * dims)

    def prize(stop: int) -> int:
        return round(problem.stops[stop].drop_penalty * problem.distance_scale * cost_scale)

    clients, client_stop = [], []
    for i, stop in enumerate(problem.stops):
        if i in paired or i in check.excluded:
            continue
        node = scaled.stop_node[i]
        clients.append(pyvrp.Client(
            location=stop.location, delivery=demand(i), pickup=[0] * dims, service_duration=scaled.service[node],
            tw_early=scaled.window[node][0], tw_late=scaled.window[node][1], required=not stop.optional,
            prize=prize(i) if stop.optional else 0))
        client_stop.append(i)
    shipments, shipment_stops = [], []
    for pair in problem.pairs:
        p, d = pair.pickup, pair.delivery
        if p in check.excluded or d in check.excluded:
            continue
        pn, dn = scaled.stop_node[p], scaled.stop_node[d]
        optional = problem.stops[p].optional
        shipments.append(pyvrp.Shipment(
            pickup_location=problem.stops[p].location, delivery_location=problem.stops[d].location,
            pickup_tw_early=scaled.window[pn][0], pickup_tw_late=scaled.window[pn][1],
            pickup_service_duration=scaled.service[pn],
            delivery_tw_early=scaled.window[dn][0], delivery_tw_late=scaled.window[dn][1],
            delivery_service_duration=scaled.service[dn], amount=demand(p),
            prize=max(1, prize(p) + prize(d)) if optional else 0, required=not optional))
        shipment_stops.append((p, d))
    return clients, client_stop, shipments, shipment_stops


def read_solution(model: PyvrpModel, solution: pyvrp.Solution, vehicles: int) -> list[list[int]]:
    """Stop indices per Haul vehicle for a PyVRP solution."""
    routes: list[list[int]] = [[] for _ in range(vehicles)]
    free = [list(members) for members in model.type_vehicles]
    for route in solution.routes():
        stops = []
        for activity in route.schedule():
            if activity.is_client():
                stops.append(model.client_stop[activity.idx])
            elif activity.is_pickup():
                stops.append(model.shipment_stops[activity.idx][0])
            elif activity.is_delivery():
                stops.append(model.shipment_stops[activity.idx][1])
        if stops:
            routes[free[route.vehicle_type()].pop(0)] = stops
    return routes
