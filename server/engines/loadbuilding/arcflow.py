"""Arc-flow model of one-dimensional bin packing (Valério de Carvalho), compressed.

A bin is a path from the source to the sink of a graph whose nodes are partial loads and
whose arcs each add one item of a given size; items along a path appear in non-increasing
size, which removes most symmetric packings. Nodes are then relabelled with the largest load
from which the same continuations remain feasible (Brandão and Pedroso's compression): nodes
with equal labels merge, every original path survives and every new path is still a feasible
bin. The flow model is: minimise the flow ``z`` out of the source, subject to flow
conservation and "at least the demand of each size is carried".

Its LP relaxation gives a strong lower bound (rounded up); its integer solutions are
optimal packings. The LP is solved with GLOP through ``pywraplp``; the integer model with
CP-SAT, which (unlike CBC in its root LP) stops when told to, so its deadline holds.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from server.engines.common import new_cp_solver


@dataclass(frozen=True)
class Graph:
    """A compressed arc-flow graph. ``arcs`` are (tail label, head label, size index)."""

    capacity: int
    sizes: tuple[int, ...]  # distinct item sizes, decreasing
    demand: tuple[int, ...]
    source: int
    nodes: tuple[int, ...]
    arcs: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class FlowSolution:
    """Flow per arc (parallel to ``Graph.arcs``) and per loss arc, and the number of bins."""

    objective: float
    arc_flow: tuple[float, ...]
    loss_flow: Mapping[int, float]
    proven: bool  # LP: solved to optimality; MIP: optimality proven


def build_graph(counts: Mapping[int, int], capacity: int, max_arcs: int = 250_000,
                deadline: float | None = None) -> Graph | None:
    """The compressed graph for item ``counts`` (size -> how many), or None when too large.

    Every size must be in 1..capacity. Building stops (None) once ``deadline`` (a
    ``time.monotonic()`` instant) has passed.
    """
    sizes = sorted((s for s, c in counts.items() if c > 0), reverse=True)
    reached = {0}
    arcs: set[tuple[int, int, int]] = set()

    def late() -> bool:
        return deadline is not None and time.monotonic() > deadline

    for j, w in enumerate(sizes):
        new: set[int] = set()
        for k, start in enumerate(reached):
            if k % 256 == 255 and late():  # a busy machine can take seconds per size here
                return None
            # chains of up to ``counts[w]`` copies: arcs d -> d+w, d+w -> d+2w, ...
            u = start
            for _ in range(counts[w]):
                v = u + w
                if v > capacity:
                    break
                arcs.add((u, v, j))
                new.add(v)
                u = v
        reached |= new
        if len(arcs) > max_arcs or late():
            return None
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for u, v, j in arcs:
        out[u].append((v, j))
    label: dict[int, int] = {}
    for k, d in enumerate(sorted(reached | {capacity}, reverse=True)):
        if k % 1024 == 1023 and late():
            return None
        lab = capacity
        for v, j in out.get(d, ()):
            lab = min(lab, label[v] - sizes[j])
        label[d] = lab
    if late():
        return None
    merged = sorted({(label[u], label[v], j) for u, v, j in arcs})
    nodes = sorted(set(label.values()) | {capacity})
    return Graph(capacity, tuple(sizes), tuple(counts[w] for w in sizes), label[0], tuple(nodes), tuple(merged))


def _model(graph: Graph, solver: pywraplp.Solver, integer: bool, z_bounds: tuple[float, float]):
    inf = solver.infinity()
    arc_vars = [
        solver.IntVar(0, graph.demand[j], "") if integer else solver.NumVar(0, graph.demand[j], "")
        for (_, _, j) in graph.arcs
    ]
    loss = {d: (solver.IntVar if integer else solver.NumVar)(0, inf, "") for d in graph.nodes if d != graph.capacity}
    z = (solver.IntVar if integer else solver.NumVar)(z_bounds[0], z_bounds[1], "z")
    balance = {d: solver.Constraint(0, 0) for d in graph.nodes if d != graph.capacity}
    cover = [solver.Constraint(b, inf) for b in graph.demand]
    for var, (u, v, j) in zip(arc_vars, graph.arcs, strict=True):
        balance[u].SetCoefficient(var, -1)
        if v in balance:
            balance[v].SetCoefficient(var, 1)
        cover[j].SetCoefficient(var, 1)
    for d, var in loss.items():
        balance[d].SetCoefficient(var, -1)
    balance[graph.source].SetCoefficient(z, 1)
    objective = solver.Objective()
    objective.SetCoefficient(z, 1)
    objective.SetMinimization()
    return arc_vars, loss, z


def solve_lp(graph: Graph, time_limit_s: float) -> FlowSolution | None:
    """The LP relaxation (GLOP), or None when it was not solved in time."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    arc_vars, loss, z = _model(graph, solver, False, (0, solver.infinity()))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return FlowSolution(z.solution_value(), tuple(v.solution_value() for v in arc_vars),
                        {d: v.solution_value() for d, v in loss.items()}, True)


def solve_mip(graph: Graph, time_limit_s: float, lower: int, upper: int, threads: int = 1,
              should_stop: Callable[[], bool] = lambda: False) -> tuple[FlowSolution | None, bool]:
    """An integer flow with ``lower <= z <= upper`` (CP-SAT) and whether none exists (proven).

    Returns (solution or None, infeasible); ``solution.proven`` is True when CP-SAT proved it
    optimal. The search ends at ``time_limit_s`` (a watchdog stops it even if CP-SAT's own
    clock is late) or as soon as ``should_stop`` says so.
    """
    end = time.monotonic() + time_limit_s  # building the model counts against the limit too
    if upper < lower:
        return None, True
    model = cp_model.CpModel()
    arc_vars = [model.NewIntVar(0, graph.demand[j], "") for (_, _, j) in graph.arcs]
    total = sum(graph.demand)
    loss = {d: model.NewIntVar(0, total, "") for d in graph.nodes if d != graph.capacity}
    z = model.NewIntVar(lower, upper, "z")
    inflow: dict[int, list] = defaultdict(list)
    outflow: dict[int, list] = defaultdict(list)
    cover: list[list] = [[] for _ in graph.demand]
    for var, (u, v, j) in zip(arc_vars, graph.arcs, strict=True):
        outflow[u].append(var)
        inflow[v].append(var)
        cover[j].append(var)
    for d, var in loss.items():
        source = [z] if d == graph.source else []
        model.Add(sum(inflow[d]) + sum(source) == sum(outflow[d]) + var)
    for j, need in enumerate(graph.demand):
        model.Add(sum(cover[j]) >= need)
    model.Minimize(z)
    if time.monotonic() >= end:
        return None, False
    solver = new_cp_solver()
    solver.parameters.max_time_in_seconds = max(0.01, end - time.monotonic())
    solver.parameters.num_workers = max(1, threads)
    done = threading.Event()

    def watchdog() -> None:  # CP-SAT's presolve can outlast its own limit on big graphs
        while not done.wait(0.05):
            if time.monotonic() > end or should_stop():
                solver.StopSearch()
                return

    guard = threading.Thread(target=watchdog, daemon=True)
    guard.start()
    try:
        status = solver.Solve(model)
    finally:
        done.set()
        guard.join()
    if status == cp_model.INFEASIBLE:
        return None, True
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    solution = FlowSolution(solver.Value(z), tuple(solver.Value(v) for v in arc_vars),
                            {d: solver.Value(v) for d, v in loss.items()}, status == cp_model.OPTIMAL)
    return solution, False


def decompose(graph: Graph, solution: FlowSolution, eps: float = 1e-7) -> list[tuple[float, tuple[int, ...]]]:
    """Split the flow into paths: (flow value, sizes along the path) pairs, largest first."""
    out: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for (u, v, j), f in zip(graph.arcs, solution.arc_flow, strict=True):
        if f > eps:
            out[u][(v, j)] = out[u].get((v, j), 0.0) + f
    loss = {d: f for d, f in solution.loss_flow.items() if f > eps}
    remaining = solution.objective
    patterns: list[tuple[float, tuple[int, ...]]] = []
    for _ in range(10 * len(graph.arcs) + 100):  # each pass removes at least one arc or loss entry
        if remaining <= eps:
            break
        u, path, value = graph.source, [], math.inf
        while u != graph.capacity and out.get(u):
            (v, j), f = max(out[u].items(), key=lambda kv: kv[1])
            path.append((u, v, j))
            value = min(value, f)
            u = v
        if u != graph.capacity:
            if loss.get(u, 0.0) <= eps:
                break  # numerical residue
            value = min(value, loss[u])
        if not path or value <= eps:
            break
        for a, b, j in path:
            out[a][(b, j)] -= value
            if out[a][(b, j)] <= eps:
                del out[a][(b, j)]
        if u != graph.capacity:
            loss[u] -= value
            if loss[u] <= eps:
                del loss[u]
        remaining -= value
        patterns.append((value, tuple(graph.sizes[j] for _, _, j in path)))
    patterns.sort(key=lambda p: -p[0])
    return patterns
