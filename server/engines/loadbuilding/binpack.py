"""One-dimensional bin packing: the fast path of load building.

``pack`` runs, stopping as soon as a packing meets the lower bound:

1. best-fit and first-fit decreasing, against the Martello–Toth L2 bound;
2. the LP relaxation of the arc-flow model (GLOP): its rounded-up value is a stronger bound;
3. LP rounding: bins that the LP uses a whole number of times are fixed, the LP is solved
   again on what remains, and the small residual is solved exactly as an arc-flow MIP (CBC);
4. if fixing was too greedy, part of the fixed bins is released (seeded) and the residual is
   solved again;
5. finally, the whole arc-flow MIP, asked for a packing better than the incumbent: it either
   finds one or proves the incumbent optimal.

When the capacity is too fine for an exact graph (e.g. 24 t in grams with many distinct
weights), steps 2-5 run on a grid of about 1000 steps instead: sizes rounded up give feasible
packings, sizes rounded down give a valid LP bound.

Each step is bounded by the deadline; ``should_stop`` is checked between steps. CBC cannot be
interrupted inside its root LP, so a MIP gets only part of the time left and is not started
with less than ``MIN_MIP_SECONDS``; a solve may still overrun by a fraction of a second.
"""

from __future__ import annotations

import bisect
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import server.engines.loadbuilding.arcflow as arcflow
from server.engines.loadbuilding.bounds import l2_bound

Bins = list[list[int]]
COARSE_STEPS = 1000  # grid size for capacities whose exact arc-flow graph is too big
MIN_MIP_SECONDS = 0.3  # below this a CBC run (whose root LP cannot be interrupted) is not started


@dataclass(frozen=True)
class BinPacking:
    """Bins as lists of item indices, a proven lower bound on their number, and optimality."""

    bins: tuple[tuple[int, ...], ...]
    lower_bound: int
    optimal: bool


def best_fit_decreasing(sizes: Sequence[int], capacity: int) -> Bins:
    """Each item, largest first, into the fullest bin it fits in."""
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    bins: Bins = []
    free: list[tuple[int, int]] = []  # (free space, bin) sorted ascending
    for i in order:
        k = bisect.bisect_left(free, (sizes[i], -1))
        if k < len(free):
            space, b = free.pop(k)
        else:
            space, b = capacity, len(bins)
            bins.append([])
        bins[b].append(i)
        bisect.insort(free, (space - sizes[i], b))
    return bins


def first_fit_decreasing(sizes: Sequence[int], capacity: int) -> Bins:
    """Each item, largest first, into the first opened bin it fits in."""
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    bins: Bins = []
    loads: list[int] = []
    for i in order:
        for b, load in enumerate(loads):
            if load + sizes[i] <= capacity:
                bins[b].append(i)
                loads[b] += sizes[i]
                break
        else:
            bins.append([i])
            loads.append(sizes[i])
    return bins


class _Search:
    """State shared by the steps: the items, the incumbent, the bound and the clock."""

    def __init__(self, sizes: Sequence[int], capacity: int, deadline: float, seed: int, threads: int,
                 should_stop: Callable[[], bool], on_improve: Callable[[int, int], None]):
        self.sizes, self.capacity, self.deadline = sizes, capacity, deadline
        self.rng = random.Random(seed)
        self.threads, self.should_stop, self.on_improve = threads, should_stop, on_improve
        self.counts = Counter(sizes)
        self.best: Bins = []
        self.lower = 0

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def done(self) -> bool:
        return len(self.best) <= self.lower or self.left() <= 0.01 or self.should_stop()

    def offer(self, bins: Bins) -> None:
        placed = {i for b in bins for i in b}
        missing = [i for i, s in enumerate(self.sizes) if s and i not in placed]
        if missing:  # a flow decomposition cut short by rounding noise: finish greedily
            bins = bins + [[missing[i] for i in b] for b in
                           best_fit_decreasing([self.sizes[i] for i in missing], self.capacity)]
        if not self.best or len(bins) < len(self.best):
            self.best = bins
            self.on_improve(len(bins), self.lower)

    def raise_lower(self, bound: int) -> None:
        if bound > self.lower:
            self.lower = bound
            self.on_improve(len(self.best), bound)

    def to_bins(self, patterns: Sequence[Sequence[int]]) -> Bins:
        """Item indices for bins given as sizes; surplus copies (over-covering flows) are dropped."""
        pool: dict[int, list[int]] = {}
        for i, s in enumerate(self.sizes):
            pool.setdefault(s, []).append(i)
        bins = []
        for pattern in patterns:
            b = [pool[s].pop() for s in pattern if pool.get(s)]
            if b:
                bins.append(b)
        return bins


def _fix_integral(search: _Search, graph: arcflow.Graph, lp: arcflow.FlowSolution,
                  residual: Counter, fixed: list[tuple[int, ...]]) -> int:
    """Fix the whole part of each LP path; returns how many bins were fixed."""
    taken = 0
    for value, pattern in arcflow.decompose(graph, lp):
        need = Counter(pattern)
        for _ in range(int(value + 1e-6)):
            if any(residual[s] < c for s, c in need.items()):
                break
            residual.subtract(need)
            fixed.append(pattern)
            taken += 1
    return taken


def _solve_residual(search: _Search, fixed: list[tuple[int, ...]], residual: Counter, budget: float) -> bool:
    """Solve what is left exactly (within ``budget`` seconds); True when the result meets the bound."""
    items = [s for s, c in residual.items() for _ in range(c)]
    target = search.lower - len(fixed)
    if not items:
        search.offer(search.to_bins(fixed))
        return len(fixed) <= search.lower
    floor = max(l2_bound(items, search.capacity), 1)
    if floor > target:
        return False
    greedy = best_fit_decreasing(items, search.capacity)
    if len(greedy) <= target:
        search.offer(search.to_bins(fixed + [tuple(items[i] for i in b) for b in greedy]))
        return True
    graph = arcflow.build_graph(+residual, search.capacity)
    if graph is None or search.left() < MIN_MIP_SECONDS:
        return False
    solution, _ = arcflow.solve_mip(graph, min(budget, search.left()), floor, len(greedy), search.threads)
    if solution is None:
        return False
    patterns = [p for v, p in arcflow.decompose(graph, solution) for _ in range(round(v))]
    search.offer(search.to_bins(fixed + patterns))
    return len(fixed) + round(solution.objective) <= search.lower


def _round_lp(search: _Search, graph: arcflow.Graph, lp: arcflow.FlowSolution) -> None:
    fixed: list[tuple[int, ...]] = []
    residual = Counter(search.counts)
    for _ in range(8):  # rounds of LP fixing; each shrinks the residual
        if (not _fix_integral(search, graph, lp, residual, fixed) or not +residual or search.left() <= 0.05
                or search.should_stop()):
            break
        graph = arcflow.build_graph(+residual, search.capacity)
        lp = arcflow.solve_lp(graph, search.left()) if graph is not None else None
        if lp is None:
            break
    if _solve_residual(search, fixed, residual, 0.5 * search.left()) or search.done():
        return
    for share in (0.5, 0.25):  # release part of the fixed bins and try again
        keep = search.rng.sample(fixed, int(share * len(fixed)))
        rest = Counter(search.counts)
        for pattern in keep:
            rest.subtract(pattern)
        if _solve_residual(search, keep, rest, 0.5 * search.left()) or search.done():
            return


def _coarse(search: _Search) -> None:
    """For a capacity too fine for the exact graph: solve on a grid of about 1000 steps.

    Sizes rounded *up* to the grid give packings that are feasible for the true sizes; sizes
    rounded *down* give a relaxation whose LP bound holds for the true problem.
    """
    grid = -(-search.capacity // COARSE_STEPS)
    coarse_capacity = search.capacity // grid
    down: Counter = Counter()
    for size, count in search.counts.items():
        if size // grid:
            down[size // grid] += count
    graph = arcflow.build_graph(down, coarse_capacity)
    lp = arcflow.solve_lp(graph, 0.25 * search.left()) if graph is not None else None
    if lp is not None:
        search.raise_lower(math.ceil(lp.objective - 1e-6))
    if search.done():
        return
    up = [-(-s // grid) for s in search.sizes]
    alone = [i for i, u in enumerate(up) if u > coarse_capacity]  # near-full items: a bin each
    rest = [i for i, u in enumerate(up) if u <= coarse_capacity and search.sizes[i]]
    inner = _pack([up[i] for i in rest], coarse_capacity, search, allow_coarse=False)
    search.offer([[i] for i in alone] + [[rest[k] for k in b] for b in inner.bins])


def pack(sizes: Sequence[int], capacity: int, *, deadline: float, seed: int = 0, threads: int = 1,
         should_stop: Callable[[], bool] = lambda: False,
         on_improve: Callable[[int, int], None] = lambda bins, bound: None) -> BinPacking:
    """Pack items of integer ``sizes`` (each in 0..capacity) into the fewest bins.

    ``deadline`` is a ``time.monotonic()`` instant. ``on_improve(bins, lower_bound)`` is called
    whenever the incumbent or the bound improves.
    """
    outer = _Search(sizes, capacity, deadline, seed, threads, should_stop, on_improve)
    return _pack(sizes, capacity, outer, allow_coarse=True)


def _pack(sizes: Sequence[int], capacity: int, context: _Search, allow_coarse: bool) -> BinPacking:
    if any(s < 0 or s > capacity for s in sizes):
        raise ValueError("every size must be in 0..capacity")
    zero = [i for i, s in enumerate(sizes) if s == 0]
    if len(zero) == len(sizes):
        return BinPacking((tuple(zero),) if zero else (), 1 if zero else 0, True)
    search = context if allow_coarse else _Search(
        sizes, capacity, context.deadline, context.rng.randrange(2**31), context.threads, context.should_stop,
        lambda bins, bound: None)
    del search.counts[0]
    search.lower = l2_bound([s for s in sizes if s], capacity)
    positive = [i for i, s in enumerate(sizes) if s]
    for heuristic in (best_fit_decreasing, first_fit_decreasing):
        if heuristic is first_fit_decreasing and len(positive) > 5000:
            continue  # quadratic; best fit already covers the large cases
        bins = heuristic([sizes[i] for i in positive], capacity)
        search.offer([[positive[i] for i in b] for b in bins])
    graph = None if search.done() else arcflow.build_graph(search.counts, capacity)
    if graph is not None and not search.done():
        lp = arcflow.solve_lp(graph, search.left())
        if lp is not None:
            search.raise_lower(math.ceil(lp.objective - 1e-6))  # LP value rounded up, float-safe
            if not search.done():
                _round_lp(search, graph, lp)
    if graph is not None and not search.done() and search.left() >= MIN_MIP_SECONDS:
        # CBC cannot stop inside its root LP: keep a margin so an overrun stays inside the limit
        solution, infeasible = arcflow.solve_mip(graph, 0.8 * search.left(), search.lower, len(search.best) - 1,
                                                 search.threads)
        if infeasible:
            search.raise_lower(len(search.best))
        elif solution is not None:
            patterns = [p for v, p in arcflow.decompose(graph, solution) for _ in range(round(v))]
            search.offer(search.to_bins(patterns))
            if solution.proven:
                search.raise_lower(round(solution.objective))
    if graph is None and allow_coarse and not search.done():
        _coarse(search)
    bins = [list(b) for b in search.best]
    if zero:
        bins[0].extend(zero)
    return BinPacking(tuple(tuple(b) for b in bins), search.lower, len(bins) <= search.lower)
