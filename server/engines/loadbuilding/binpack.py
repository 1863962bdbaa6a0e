"""One-dimensional bin packing: the fast path of load building.

``pack`` runs, stopping as soon as a packing meets the lower bound:

1. best-fit and first-fit decreasing, against the Martello–Toth L2 bound;
2. the LP relaxation of the arc-flow model (GLOP), when its graph is small: its rounded-up
   value is a stronger bound;
3. local search for one bin fewer at a time (``refill``, then the tabu search of ``cns``)
   on part of the time;
4. a big graph's LP bound, if there is time, and more local search;
5. finally, the whole arc-flow model solved exactly by CP-SAT, asked for a packing better
   than the incumbent: it either finds one, proves the incumbent optimal (the bound rises to
   it), or runs out of time.

When the capacity is too fine for an exact graph (e.g. 24 t in grams with many distinct
weights), steps 2-5 run on a grid of about 1000 steps instead: sizes rounded up give feasible
packings, sizes rounded down give a valid LP bound.

The deadline is a wall-clock promise: graph building gives up shortly before it, GLOP and
CP-SAT get only the time left (a watchdog stops CP-SAT even inside its presolve), the exact
model is skipped when its graph is too big to build in time, and ``should_stop`` is checked
between steps and inside the searches. ``BinPacking.optimal`` says the result is proven.
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
import server.engines.loadbuilding.cns as cns
from server.engines.loadbuilding.bounds import l2_bound
from server.engines.loadbuilding.refill import one_bin_fewer

Bins = list[list[int]]
COARSE_STEPS = 1000  # grid size for capacities whose exact arc-flow graph is too big
SMALL_GRAPH_ARCS = 20_000  # graphs up to this size get their LP bound before the local search
BIG_GRAPH_MAX_ARCS = 250_000  # graphs beyond this are not built at all
LP_SHARE = 0.5  # of the time left, at most, for one LP
LP_SECONDS_PER_ARC = 3e-5  # building an LP or CP-SAT model, measured on Wäscher graphs (30-95k arcs)
REFILL_FIRST_SHARE = 0.5  # of the time left, for the local search before a big graph's LP
REFILL_SECOND_SHARE = 0.5  # of the time left, for the local search before the exact model
REFILL_MAX_CAPACITY = 100_000
REFILL_QUICK_SHARE = 0.1  # of each local search's time, for refills before the tabu search
GRAPH_MARGIN_S = 0.2  # the graph is abandoned this long before the deadline
BIG_GRAPH_MIN_S = 1.5  # a big graph is only worth building (seconds on a busy machine) with this much left
MIP_MAX_ARCS = 60_000  # above this, building the CP-SAT model alone takes seconds
MIN_MIP_SECONDS = 0.3  # below this the exact model is not started
MIP_MARGIN_S = 0.1  # the exact model stops this long before the deadline, to leave time for the answer


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
        self.tabu_searches: dict = {}  # cns searches cut short, resumed by the next local search step

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


def _lp_bound(search: _Search, graph: arcflow.Graph | None, share: float) -> None:
    """Raise the bound to the arc-flow LP value, rounded up (GLOP, for ``share`` of the time left).

    Building the LP and GLOP's first iterations are not covered by its time limit, so an LP
    whose expected time exceeds the share is not started.
    """
    if graph is None or search.done() or LP_SECONDS_PER_ARC * len(graph.arcs) > share * search.left():
        return
    lp = arcflow.solve_lp(graph, share * search.left())
    if lp is not None:
        search.raise_lower(math.ceil(lp.objective - 1e-6))  # float-safe rounding up


def _refill(search: _Search, share: float) -> None:
    """Look for one bin fewer by local search (``refill``, then ``cns``) for ``share`` of the time left."""
    if search.capacity > REFILL_MAX_CAPACITY:
        return  # subset sums over bitsets this long get slow; the coarse grid refills instead
    deadline = time.monotonic() + share * search.left()
    while not search.done() and time.monotonic() < deadline:
        # Refills first, briefly: they settle easy cases (exactly-full triplets) at once;
        # the tabu search (cns) then reaches the nearly-full bins of Wäscher's instances.
        quick = time.monotonic() + REFILL_QUICK_SHARE * (deadline - time.monotonic())
        fewer = one_bin_fewer(search.sizes, search.capacity, search.best, quick, search.rng, search.should_stop)
        if fewer is None and not search.should_stop():
            fewer = cns.one_bin_fewer(search.sizes, search.capacity, search.best, deadline, search.rng,
                                      search.should_stop, search.tabu_searches)
        if fewer is None:
            return
        search.offer(fewer)


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
    if any(s < 0 or s > capacity for s in sizes):
        raise ValueError("every size must be in 0..capacity")
    # Load building scales weights to fine units (grams): dividing out the common factor gives
    # the same packings on a graph and bitsets a thousand times smaller.
    unit = math.gcd(capacity, *sizes) or 1
    sizes, capacity = [s // unit for s in sizes], capacity // unit
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
    # A small graph first: its LP bound is cheap and may prove a greedy packing optimal.
    graph = None if search.done() else arcflow.build_graph(search.counts, capacity, max_arcs=SMALL_GRAPH_ARCS,
                                                           deadline=search.deadline - GRAPH_MARGIN_S)
    _lp_bound(search, graph, LP_SHARE)
    _refill(search, REFILL_FIRST_SHARE)
    if graph is None and not search.done() and search.left() >= BIG_GRAPH_MIN_S:
        # A graph whose LP could not be started in the time left is of no use (the exact model
        # needs even more time per arc), so building it stops at that size instead of finishing.
        useful_arcs = int(LP_SHARE * search.left() / LP_SECONDS_PER_ARC)
        graph = arcflow.build_graph(search.counts, capacity, max_arcs=min(BIG_GRAPH_MAX_ARCS, useful_arcs),
                                    deadline=search.deadline - GRAPH_MARGIN_S)
        _lp_bound(search, graph, LP_SHARE)
    # The exact model only when it can be built and searched in what the local search leaves.
    exact = graph is not None and len(graph.arcs) <= MIP_MAX_ARCS and (
        (1 - REFILL_SECOND_SHARE) * search.left() >= MIN_MIP_SECONDS + LP_SECONDS_PER_ARC * len(graph.arcs))
    _refill(search, REFILL_SECOND_SHARE if exact else 1.0)
    if exact and not search.done() and search.left() >= MIN_MIP_SECONDS + LP_SECONDS_PER_ARC * len(graph.arcs):
        solution, infeasible = arcflow.solve_mip(graph, search.left() - MIP_MARGIN_S, search.lower,
                                                 len(search.best) - 1, search.threads, search.should_stop)
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
