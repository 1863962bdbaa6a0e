"""Local search for one bin fewer: refill bins from a pool of left-out items.

To turn a packing of ``m`` bins into one of ``m - 1``, the least-filled bins are emptied
into a pool and the other ``m - 2`` bins are kept. The search then makes the kept bins as
full as possible from the pool: a bin's new contents are the fullest subset of its own items
and the pool's (an exact subset-sum over bitsets, instant at these sizes). Once the pool's
items fit in one bin, that bin completes a packing with one bin fewer. When no bin can be
filled further, a few random bins are poured back into the pool and refilled, and the result
is kept unless the pool grew by more than a shrinking tolerance (simulated annealing on the
pool's size). This is the "consistent neighbourhood" idea of Buljubašić and Vasquez (2016)
with subset-sum refills as the only move.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

Bins = list[list[int]]
PLATEAU_SHARE = 0.3  # of perturbations that are sideways refills rather than pouring bins out
TOLERANCE = 0.02  # of the capacity: how much a pour may grow the pool, at first (it cools)


def fullest_subset(items: Sequence[int], sizes: Sequence[int], capacity: int) -> list[int]:
    """The subset of ``items`` with the largest total size not above ``capacity``."""
    mask = (1 << (capacity + 1)) - 1
    reach = [1]
    for i in items:
        reach.append((reach[-1] | (reach[-1] << sizes[i])) & mask)
        if reach[-1] >> capacity:  # exactly full: no later item can do better, so stop early
            break
    total = reach[-1].bit_length() - 1
    chosen = []
    for k in range(len(reach) - 1, 0, -1):
        if not (reach[k - 1] >> total) & 1:
            i = items[k - 1]
            chosen.append(i)
            total -= sizes[i]
    return chosen


def one_bin_fewer(sizes: Sequence[int], capacity: int, bins: Bins, deadline: float, rng: random.Random,
                  should_stop: Callable[[], bool] = lambda: False) -> Bins | None:
    """A packing with ``len(bins) - 1`` bins, or None when none was found by ``deadline``."""
    if len(bins) < 2:
        return None
    # Emptying a third bin as well (the pool then has to fit in two) was measured: no better.
    order = sorted(range(len(bins)), key=lambda b: sum(sizes[i] for i in bins[b]))
    kept = [list(bins[b]) for b in order[2:]]
    pool = [i for b in order[:2] for i in bins[b]]
    tolerance = TOLERANCE * capacity
    iteration = 0
    while True:
        weight = _descend(sizes, capacity, kept, pool, rng)
        if weight <= capacity:
            return [b for b in kept if b] + ([list(pool)] if pool else [])
        iteration += 1
        if iteration % 16 == 0 and (time.monotonic() >= deadline or should_stop()):
            return None
        if rng.random() < PLATEAU_SHARE:
            _sideways(sizes, capacity, kept, pool, rng)
            continue
        # Pour a few random bins back into the pool and refill; undo when the pool grew too much.
        saved_kept, saved_pool = [list(b) for b in kept], list(pool)
        for b in rng.sample(range(len(kept)), min(len(kept), rng.choice((1, 2, 2, 3)))):
            pool += kept[b]
            kept[b] = []
        new_weight = _descend(sizes, capacity, kept, pool, rng)
        if new_weight > weight + tolerance * rng.random():
            kept, pool = saved_kept, saved_pool
        tolerance = max(1.0, tolerance * 0.999)
        if iteration % 2000 == 0:
            tolerance = TOLERANCE * capacity  # reheat


def _sideways(sizes: Sequence[int], capacity: int, kept: Bins, pool: list[int], rng: random.Random) -> None:
    """Refill two random bins, one after the other, from their items and the pool's.

    The two bins end at least as full together as before (the first takes its fullest
    subset, the second the fullest of the rest, and the old contents remain possible), so
    the pool never grows; its contents change, which opens new improving refills.
    """
    pair = rng.sample(range(len(kept)), min(2, len(kept)))
    before = sum(sizes[i] for b in pair for i in kept[b])
    candidates = [i for b in pair for i in kept[b]] + pool
    saved = [list(kept[b]) for b in pair], list(pool)
    for b in pair:
        rng.shuffle(candidates)
        chosen = fullest_subset(candidates, sizes, capacity)
        taken = set(chosen)
        kept[b] = chosen
        candidates = [i for i in candidates if i not in taken]
    if sum(sizes[i] for b in pair for i in kept[b]) < before:  # greedy order lost ground: undo
        for b, items in zip(pair, saved[0], strict=True):
            kept[b] = items
        return
    pool[:] = candidates


def _descend(sizes: Sequence[int], capacity: int, kept: Bins, pool: list[int], rng: random.Random) -> int:
    """Refill bins from the pool until no bin gets fuller; returns the pool's total size."""
    improved = True
    while improved and pool:
        improved = False
        for b in rng.sample(range(len(kept)), len(kept)):
            current = sum(sizes[i] for i in kept[b])
            if current == capacity:
                continue
            candidates = kept[b] + pool
            rng.shuffle(candidates)
            chosen = fullest_subset(candidates, sizes, capacity)
            if sum(sizes[i] for i in chosen) > current:
                taken = set(chosen)
                kept[b] = chosen
                pool[:] = [i for i in candidates if i not in taken]
                improved = True
                if not pool:
                    break
    return sum(sizes[i] for i in pool)
