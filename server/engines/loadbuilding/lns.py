"""Large-neighbourhood search: re-plan a few loads at a time with CP-SAT.

Each step picks a random load and a few other loads from the same pickup site (those sharing
stops or hazmat-free goods are likelier), takes everything they carry, and asks the CP-SAT
model for the cheapest way to carry exactly that on the vehicles not used elsewhere. Small
models solve in a fraction of a second, so many neighbourhoods are tried within the limit;
a step is kept only when it lowers the cost.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence

from server.engines.common import Limits
from server.engines.loadbuilding.greedy import Construction
from server.engines.loadbuilding.improve import improve
from server.engines.loadbuilding.prepare import Prepared
from server.engines.loadbuilding.rules import LoadState

STEP_SECONDS = 0.5  # at most this per neighbourhood
MAX_LOADS = 6  # loads re-planned together
EPS = 1e-6


def _neighbourhood(loads: Sequence[LoadState], rng: random.Random, size: int) -> list[int]:
    """Indices of ``size`` loads at one pickup site around a random seed load."""
    seed = rng.randrange(len(loads))
    site = loads[seed].pickup
    others = [k for k, ld in enumerate(loads) if k != seed and ld.pickup == site]
    if not others:
        return [seed]
    stops = set(loads[seed].stops)

    def weight(k: int) -> float:  # loads sharing a stop fit together better
        return 3.0 if stops & set(loads[k].stops) else 1.0

    chosen = [seed]
    while others and len(chosen) < size:
        pick = rng.choices(others, weights=[weight(k) for k in others])[0]
        others.remove(pick)
        chosen.append(pick)
    return chosen


def lns(prepared: Prepared, plan: Construction, limits: Limits, deadline: float, rng: random.Random,
        report: Callable[[float], None] = lambda cost: None) -> Construction:
    """A plan at most as expensive as ``plan`` (same units left over), improved until ``deadline``."""
    loads = list(plan.loads)
    cost = sum(prepared.costs[ld.vehicle] for ld in loads)
    size, failures = 3, 0
    while time.monotonic() < deadline - 0.05 and len(loads) >= 2 and not limits.should_stop():
        chosen = _neighbourhood(loads, rng, size)
        if len(chosen) < 2:
            failures += 1
            if failures > 50:
                break
            continue
        part = [loads[k] for k in chosen]
        quantities: Counter = Counter()
        for ld in part:
            quantities.update(ld.contents)
        reserved = Counter(ld.vehicle for k, ld in enumerate(loads) if k not in chosen)
        before = sum(prepared.costs[ld.vehicle] for ld in part)
        step_end = min(deadline, time.monotonic() + STEP_SECONDS)
        result = improve(prepared, sorted(quantities), Construction(part, {}), limits, step_end,
                         quantities=quantities, reserved=reserved, max_pairs=4000, exact_slots=False)
        after = result.plan.cost(prepared) if result is not None and not result.plan.short else before
        if after < before - EPS:
            loads = [ld for k, ld in enumerate(loads) if k not in chosen] + result.plan.loads
            cost += after - before
            report(cost)
            failures = 0
        else:
            failures += 1
        # widen the neighbourhood when small ones stop paying off
        size = min(MAX_LOADS, 3 + failures // 10)
    return Construction(loads, dict(plan.short))
