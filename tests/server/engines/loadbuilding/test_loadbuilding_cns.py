"""Consistent neighbourhood search: swaps between kept bins and unpacked items, two-bin goal."""

from __future__ import annotations

import itertools
import random
import time

from server.engines.loadbuilding.binpack import best_fit_decreasing
from server.engines.loadbuilding.cns import one_bin_fewer, two_bins


def _valid(sizes: list[int], capacity: int, bins: list[list[int]]) -> bool:
    return (sorted(i for b in bins for i in b) == list(range(len(sizes)))
            and all(sum(sizes[i] for i in b) <= capacity for b in bins))


def test_two_bins_is_exact():
    """A split is found exactly when one exists (brute force over all subsets)."""
    rng = random.Random(4)
    for _ in range(40):
        sizes = [rng.randint(1, 60) for _ in range(7)]
        items = list(range(7))
        exists = any(sum(sizes[i] for i in c) <= 100 and sum(sizes) - sum(sizes[i] for i in c) <= 100
                     for k in range(8) for c in itertools.combinations(items, k))
        split = two_bins(items, sizes, 100)
        assert (split is not None) == exists
        if split:
            assert sorted(split[0] + split[1]) == items
            assert all(sum(sizes[i] for i in b) <= 100 for b in split)


def test_one_bin_fewer_by_a_swap():
    """Four bins to three needs a swap: the 3 in the kept bin for the unpacked 4.

    The kept bin [6, 3] leaves {5, 4, 5, 7} unpacked, which no two bins of 10 hold, and no
    unpacked item fits in the kept bin's free unit; swapping 3 for 4 leaves {5, 5, 7, 3}.
    """
    sizes = [6, 3, 5, 4, 5, 7]
    bins = [[0, 1], [2, 3], [4], [5]]
    fewer = one_bin_fewer(sizes, 10, bins, time.monotonic() + 5, random.Random(0))
    assert fewer is not None and len(fewer) == 3 and _valid(sizes, 10, fewer)


def test_one_bin_fewer_reaches_perfect_packings():
    """From best fit, repeated searches reach the perfect packing of exactly-full quadruplets."""
    rng = random.Random(7)
    for seed in range(3):
        sizes = []
        for _ in range(10):
            cuts = sorted(rng.sample(range(100, 900), 3))
            sizes += [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 1000 - cuts[2]]
        bins = best_fit_decreasing(sizes, 1000)
        deadline = time.monotonic() + 10
        while len(bins) > 10:
            fewer = one_bin_fewer(sizes, 1000, bins, deadline, random.Random(seed))
            assert fewer is not None, "no perfect packing found in time"
            assert len(fewer) == len(bins) - 1 and _valid(sizes, 1000, fewer)
            bins = fewer


def test_one_bin_fewer_gives_up_at_its_deadline():
    """Asked for fewer bins than the total allows, the search returns None, on time."""
    sizes = [600] * 6
    started = time.monotonic()
    assert one_bin_fewer(sizes, 1000, [[i] for i in range(6)], started + 0.3, random.Random(0)) is None
    assert time.monotonic() - started < 1.5


def test_one_bin_fewer_needs_three_bins():
    """With two bins there is nothing to keep: the caller's simpler checks apply."""
    assert one_bin_fewer([3, 3], 10, [[0], [1]], time.monotonic() + 1, random.Random(0)) is None


def test_one_bin_fewer_repacks_a_kept_bin_when_the_unpacked_items_do_not_split():
    """Unpacked {6, 6, 6} weigh two bins but split into none; with the kept [4, 4, 2] they make three."""
    sizes = [6, 6, 6, 4, 4, 2]
    fewer = one_bin_fewer(sizes, 10, [[0], [1], [2], [3, 4, 5]], time.monotonic() + 5, random.Random(0))
    assert fewer is not None and len(fewer) == 3 and _valid(sizes, 10, fewer)


def test_a_search_cut_short_resumes_from_the_same_packing():
    """Given a dict to keep, a search stopped by its deadline goes on from its state, and ends valid."""
    sizes = [600] * 6
    bins = [[i] for i in range(6)]
    saved: dict = {}
    assert one_bin_fewer(sizes, 1000, bins, time.monotonic() + 0.05, random.Random(0), saved=saved) is None
    state = next(iter(saved.values()))
    first_iterations = state.iteration
    assert one_bin_fewer(sizes, 1000, bins, time.monotonic() + 0.05, random.Random(0), saved=saved) is None
    assert list(saved.values()) == [state] and state.iteration > first_iterations
