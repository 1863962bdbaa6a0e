"""The market benchmark's request plan keeps each carrier's bids in order on one worker."""

import random

from server.bench.market import _bid_queues, _grab_queues, _latency
from server.bench.market_seed import Seeded


def _seeded() -> Seeded:
    seeded = Seeded()
    seeded.carriers_by_plant = {0: [10, 11, 12], 1: [20, 21]}
    seeded.carrier_tokens = {c: f"t{c}" for cs in seeded.carriers_by_plant.values() for c in cs}
    return seeded


def test_each_carrier_bids_from_one_queue_with_falling_prices():
    """Every bid of a carrier on a tender sits in one queue, each lower than the one before."""
    queues = _bid_queues(_seeded(), [(1, 0), (2, 1)], total_bids=100, concurrency=4, rng=random.Random(1))
    assert sum(len(q) for q in queues) == 3 * (3 + 2)  # three rounds, five carrier-tender pairs
    for queue in queues:
        last: dict = {}
        for _, path, token, body in queue:
            key = (path, token)
            assert body["price"] < last.get(key, float("inf"))
            last[key] = body["price"]
    owners: dict = {}
    for i, queue in enumerate(queues):
        for _, _, token, _ in queue:
            owners.setdefault(token, set()).add(i)
    assert set(owners) == set(_seeded().carrier_tokens.values()) and all(len(q) == 1 for q in owners.values())


def test_grab_plan_races_distinct_carriers_of_the_plant():
    """Each grab tender gets up to N different carriers from its own plant."""
    queues = _grab_queues(_seeded(), [(7, 0)], grabbers=2, concurrency=3, rng=random.Random(2))
    tokens = [token for q in queues for _, _, token, _ in q]
    assert len(tokens) == 2 == len(set(tokens)) and set(tokens) <= {"t10", "t11", "t12"}


def test_latency_summary():
    """p50 and p99 come from the sorted latencies; no requests give no figures."""
    results = [("bid", 201, float(ms), None) for ms in range(1, 101)]
    summary = _latency(results)
    assert (summary["p50_ms"], summary["p99_ms"], summary["max_ms"]) == (50.5, 100.0, 100.0)
    assert _latency([]) == {"p50_ms": None, "p99_ms": None}


def test_bids_are_spread_evenly_over_threads_even_when_bidders_share_id_parity():
    """Only even ids bid (as when only every other plant has auctions): every thread still gets work."""
    seeded = Seeded()
    seeded.carriers_by_plant = {0: list(range(100, 140, 2))}
    seeded.carrier_tokens = {c: f"t{c}" for c in seeded.carriers_by_plant[0]}
    queues = _bid_queues(seeded, [(1, 0), (2, 0)], total_bids=1000, concurrency=4, rng=random.Random(3))
    assert [len(q) for q in queues] == [30, 30, 30, 30]
