"""Local search for one bin fewer: exact subset-sum refills and the search around them."""

from __future__ import annotations

import itertools
import random
import time

from server.engines.loadbuilding.binpack import best_fit_decreasing
from server.engines.loadbuilding.refill import fullest_subset, one_bin_fewer


def _quadruplets(n_bins: int, seed: int, capacity: int = 1000) -> list[int]:
    """Sizes that fill ``n_bins`` bins exactly, four items each (greedy needs more bins)."""
    rng = random.Random(seed)
    sizes = []
    for _ in range(n_bins):
        cuts = sorted(rng.sample(range(150, capacity - 150), 3))
        parts = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], capacity - cuts[2]]
        if min(parts) < 20:
            parts = [250, 250, 250, 250]
        sizes += parts
    rng.shuffle(sizes)
    return sizes


def test_fullest_subset_is_the_best_subset_sum():
    """The subset found has the largest total not over the capacity (checked by brute force)."""
    rng = random.Random(3)
    for _ in range(20):
        sizes = [rng.randint(1, 60) for _ in range(9)]
        items = list(range(9))
        best = max(sum(c) for k in range(10) for c in itertools.combinations(sizes, k) if sum(c) <= 100)
        chosen = fullest_subset(items, sizes, 100)
        assert len(set(chosen)) == len(chosen) and sum(sizes[i] for i in chosen) == best


def test_one_bin_fewer_keeps_every_item_once_within_capacity():
    """The search turns a greedy packing of exactly-full bins into one with a bin fewer, valid."""
    sizes = _quadruplets(12, seed=5)
    bins = best_fit_decreasing(sizes, 1000)
    fewer = one_bin_fewer(sizes, 1000, bins, time.monotonic() + 5, random.Random(1))
    if len(bins) == 12:  # greedy was already perfect on this draw; nothing to improve
        assert fewer is None
        return
    assert fewer is not None and len(fewer) == len(bins) - 1
    assert sorted(i for b in fewer for i in b) == list(range(len(sizes)))
    assert all(sum(sizes[i] for i in b) <= 1000 for b in fewer)


def test_one_bin_fewer_gives_up_at_its_deadline():
    """Asked for fewer bins than the items' total allows, the search returns None on time."""
    sizes = [600, 600, 600]
    started = time.monotonic()
    assert one_bin_fewer(sizes, 1000, [[0], [1], [2]], started + 0.3, random.Random(0)) is None
    assert time.monotonic() - started < 5  # generous: only that it stops at all
