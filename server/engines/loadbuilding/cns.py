"""Consistent neighbourhood search for one bin fewer (after Buljubašić and Vasquez, 2016).

To turn a packing into one with a bin fewer, the three least-filled bins are emptied into a
set of unpacked items; the other bins are kept, never over capacity. The search succeeds as
soon as the unpacked items fit in two bins (an exact subset-sum test), which completes a
packing with one bin fewer than before.

Each step is a tabu search move: in one kept bin, up to two of its items swap with up to two
unpacked ones, the swap that leaves the least total size unpacked (and, at equal size, the
most items, since many small items fill gaps more easily than a few large ones). Items just
put into a bin may not leave it for a while, and items just taken out may not go back into
the same bin, so the search walks across plateaus instead of undoing itself. After each move
a descent refills bins with the fullest subset of their free items and the unpacked ones
(the unlimited add/drop move), respecting the same tabu rules. Once the unpacked items weigh
no more than two bins but do not split into two, one kept bin (or a pair of them) repacked
together with them often settles it, so each kept bin and some random pairs are tried that way.

Unlike ``refill`` (which needs the left-out items to fit in *one* bin, from ``m - 2`` kept
bins), the two-bin goal leaves the search more room on instances whose optimal bins are all
nearly full, such as Wäscher's.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Callable, Sequence

from server.engines.loadbuilding.refill import fullest_subset

Bins = list[list[int]]
# An item stays tabu for 1..(this times the kept bins, at most TENURE_MAX) iterations, drawn
# per move. Measured: Wäscher (20-25 kept bins) and Falkenauer's triplets (38) want about 30,
# ten exactly-full bins of quadruplets under 10; longer tenures freeze most items and stall.
TENURE_PER_BIN = 1.3
TENURE_MAX = 30
PAIR_TRIES = 30  # random pairs of kept bins repacked with the unpacked items, when these weigh two bins
SORTED_SHARE = 0.5  # of descents that offer a bin its candidates largest first


def two_bins(items: Sequence[int], sizes: Sequence[int], capacity: int) -> tuple[list[int], list[int]] | None:
    """A split of ``items`` into two bins, or None when there is none (exact)."""
    total = sum(sizes[i] for i in items)
    if total > 2 * capacity:
        return None
    first = fullest_subset(list(items), sizes, capacity)
    if total - sum(sizes[i] for i in first) > capacity:
        return None
    taken = set(first)
    return first, [i for i in items if i not in taken]


class _State:
    """Kept bins, unpacked items and the tabu clocks of one search."""

    def __init__(self, sizes: Sequence[int], capacity: int, kept: Bins, unpacked: list[int], rng: random.Random):
        self.sizes, self.capacity, self.rng = sizes, capacity, rng
        self.kept = kept
        self.loads = [sum(sizes[i] for i in b) for b in kept]
        self.unpacked = unpacked
        self.iteration = 0
        self.tenure = max(3, min(TENURE_MAX, round(TENURE_PER_BIN * len(kept))))
        self.stay_until: dict[int, int] = {}  # item -> iteration before which it may not leave its bin
        self.away_until: list[dict[int, int]] = [{} for _ in kept]  # per bin: item -> before which it may not re-enter

    def free_items(self, b: int) -> list[int]:
        return [i for i in self.kept[b] if self.stay_until.get(i, 0) <= self.iteration]

    def barred(self, b: int) -> set[int]:
        """The unpacked items that may not enter bin ``b`` yet."""
        away = self.away_until[b]
        for i in [i for i, until in away.items() if until <= self.iteration]:
            del away[i]
        return set(away)

    def apply(self, b: int, out: Sequence[int], into: Sequence[int]) -> None:
        """Move ``out`` from bin ``b`` to the unpacked items and ``into`` from them into ``b``."""
        sizes, now = self.sizes, self.iteration
        gone, came = set(out), set(into)
        self.kept[b] = [i for i in self.kept[b] if i not in gone] + list(into)
        self.unpacked = [i for i in self.unpacked if i not in came] + list(out)
        self.loads[b] += sum(sizes[i] for i in into) - sum(sizes[i] for i in out)
        for i in into:
            self.stay_until[i] = now + self.rng.randint(1, self.tenure)
        for i in out:
            self.away_until[b][i] = now + self.rng.randint(1, self.tenure)


def _swap_move(state: _State) -> bool:
    """The best non-tabu swap of up to two items each way; False when there is none."""
    sizes, capacity = state.sizes, state.capacity
    ins = [(sizes[i], (i,)) for i in state.unpacked]
    ins += [(sizes[i] + sizes[j], (i, j)) for i, j in itertools.combinations(state.unpacked, 2)]
    ins.sort()
    in_sizes = [w for w, _ in ins]
    best, best_key, ties = None, None, 0
    random = state.rng.random
    for b in range(len(state.kept)):
        free, barred = state.free_items(b), state.barred(b)
        outs = [(0, ())] + [(sizes[i], (i,)) for i in free]
        outs += [(sizes[i] + sizes[j], (i, j)) for i, j in itertools.combinations(free, 2)]
        room = capacity - state.loads[b]
        for w_out, out in outs:
            k = bisect.bisect_right(in_sizes, room + w_out) - 1
            while k >= 0 and barred and not barred.isdisjoint(ins[k][1]):
                k -= 1
            if k < 0:
                continue
            w_in, into = ins[k]
            if not out and w_in == 0:
                continue
            key = (w_in - w_out, len(out) - len(into))
            if best_key is None or key > best_key:
                best, best_key, ties = (b, out, into), key, 1
            elif key == best_key:  # a uniform choice among equally good swaps (reservoir sampling)
                ties += 1
                if random() * ties < 1:
                    best = (b, out, into)
    if best is None:
        return False
    state.apply(*best)
    return True


def _descend(state: _State) -> None:
    """Refill each bin with the fullest subset of its free items and the unpacked ones it may take."""
    sizes, random = state.sizes, state.rng.random
    for b in state.rng.sample(range(len(state.kept)), len(state.kept)):
        if state.loads[b] == state.capacity:
            continue  # already full: no refill is fuller (most bins, on tight instances)
        free = state.free_items(b)
        fixed = state.loads[b] - sum(sizes[i] for i in free)
        barred = state.barred(b)
        candidates = free + [i for i in state.unpacked if i not in barred]
        # Large items first, half the time: at equal fill the bin then leaves small items
        # unpacked, which fill gaps later; random orders, the other half, keep the search moving.
        # (Sorting on random keys: several times faster than ``shuffle``, which loops in Python.)
        if random() < SORTED_SHARE:
            candidates.sort(key=lambda i: random() - sizes[i])  # ties between equal sizes broken at random
        else:
            candidates.sort(key=lambda _: random())
        chosen = fullest_subset(candidates, sizes, state.capacity - fixed)
        if fixed + sum(sizes[i] for i in chosen) > state.loads[b]:
            kept, was_free = set(chosen), set(free)
            state.apply(b, [i for i in free if i not in kept], [i for i in chosen if i not in was_free])


def _finish(state: _State) -> tuple[list[int], list[int]] | None:
    """Two bins for the unpacked items, if need be after repacking one or two kept bins with them.

    Checked only once the unpacked items are small enough in total: then they often fail to
    split merely because of a few large items, which one bin's repacking settles.
    """
    sizes, capacity = state.sizes, state.capacity
    unpacked = sum(sizes[i] for i in state.unpacked)
    if unpacked > 2 * capacity:
        return None
    split = two_bins(state.unpacked, sizes, capacity)
    if split is not None:
        return split
    for b in state.rng.sample(range(len(state.kept)), len(state.kept)):
        pool = state.kept[b] + state.unpacked
        if unpacked + state.loads[b] > 3 * capacity:
            continue
        state.rng.shuffle(pool)
        first = fullest_subset(pool, sizes, capacity)
        taken = set(first)
        split = two_bins([i for i in pool if i not in taken], sizes, capacity)
        if split is not None:
            state.kept[b] = first
            return split
    for _ in range(min(PAIR_TRIES, len(state.kept) * (len(state.kept) - 1) // 2)):
        pair = state.rng.sample(range(len(state.kept)), 2)
        pool = state.kept[pair[0]] + state.kept[pair[1]] + state.unpacked
        state.rng.shuffle(pool)
        refilled = []
        for _ in pair:
            chosen = fullest_subset(pool, sizes, capacity)
            taken = set(chosen)
            pool = [i for i in pool if i not in taken]
            refilled.append(chosen)
        split = two_bins(pool, sizes, capacity)
        if split is not None:
            for b, items in zip(pair, refilled, strict=True):
                state.kept[b] = items
            return split
    return None


def one_bin_fewer(sizes: Sequence[int], capacity: int, bins: Bins, deadline: float, rng: random.Random,
                  should_stop: Callable[[], bool] = lambda: False, saved: dict | None = None) -> Bins | None:
    """A packing with ``len(bins) - 1`` bins, or None when none was found by ``deadline``.

    ``saved`` is a dict the caller keeps between calls: asked again from the same packing, a
    search cut short by its deadline goes on from where it stopped instead of starting over.
    """
    if len(bins) < 3:
        return None
    key = tuple(tuple(b) for b in bins)
    state = saved.get(key) if saved is not None else None
    if state is None:
        order = sorted(range(len(bins)), key=lambda b: sum(sizes[i] for i in bins[b]))
        state = _State(sizes, capacity, [list(bins[b]) for b in order[3:]],
                       [i for b in order[:3] for i in bins[b]], rng)
        if saved is not None:
            saved.clear()  # searches from older packings are of no further use
            saved[key] = state
    while True:
        split = _finish(state)
        if split is not None:
            return [b for b in state.kept if b] + [b for b in split if b]
        state.iteration += 1
        if state.iteration % 8 == 0 and (time.monotonic() >= deadline or should_stop()):
            return None
        if not state.kept or not _swap_move(state):
            if time.monotonic() >= deadline:
                return None
            continue
        _descend(state)
