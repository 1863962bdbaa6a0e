"""The audience cache refreshes ahead of expiry, and the hot path's shared statement keeps each caller's scope."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from server.db.fast_sql import Compiled
from server.market import audience as audience_module
from server.market import ttl_cache
from server.market.audience import LoadView, audience, audience_cache
from server.market.qualification import LoadNeeds
from server.market.scorecard import MarketSettings

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
VIEW = LoadView(70, 1, LoadNeeds("pallet_dock", 18000, 50, 26), 6.76, 51.43)


@pytest.fixture
def clock(monkeypatch):
    now = SimpleNamespace(t=1000.0)
    monkeypatch.setattr(ttl_cache.time, "monotonic", lambda: now.t)
    monkeypatch.setattr(ttl_cache.random, "uniform", lambda lo, hi: 0.8)
    return now


def _tender():
    # the fields ``phase`` reads: an open grab tender reaching every qualified carrier (radius 0)
    return SimpleNamespace(id=7, load_id=70, created_at=T0, version=0, mode="grab", preferred_carrier_ids=[],
                           sequential_index=0, private=False, radius_km=0.0, offer_started_at=None)


def test_an_entry_comes_due_before_it_expires(clock):
    """An entry is served as is, then served but due for refresh from 80% of its TTL, then gone at its TTL."""
    cache = ttl_cache.TTLCache()
    cache.put("k", {1}, ttl=5.0)
    clock.t += 3.9
    assert cache.get("k") == ({1}, False)
    clock.t += 0.2
    assert cache.get("k") == ({1}, True)
    clock.t += 1.0
    assert cache.get("k") is None


def test_one_caller_refreshes_a_due_entry_while_the_others_use_it(ctx, clock, monkeypatch):
    """A due entry is recomputed by the caller that takes its lock; a caller finding the lock taken gets the
    entry, still within its TTL, without waiting."""
    audience_cache.clear()
    computed = []
    monkeypatch.setattr(audience_module, "compute_audience",
                        lambda *args: computed.append(1) or {len(computed)})
    tender, settings = _tender(), MarketSettings()
    assert audience(tender, settings, T0, lambda: VIEW) == {1}
    clock.t += 4.5  # due, not expired
    key = next(k for k in audience_cache._data if k[0] == tender.id)  # the tender's own entry
    with audience_cache.once(key):  # another thread is refreshing it
        assert audience(tender, settings, T0, lambda: VIEW) == {1}
    assert computed == [1]
    assert audience(tender, settings, T0, lambda: VIEW) == {2}  # this caller refreshes it
    assert audience(tender, settings, T0, lambda: VIEW) == {2} and computed == [1, 1]
    clock.t += 5.1  # expired: recomputed before anyone is answered
    assert audience(tender, settings, T0, lambda: VIEW) == {3}
    audience_cache.clear()


def test_shared_statement_constants_are_swapped_per_caller():
    """A stand-in organisation id is replaced in scalars and inside JSON lists before conversion."""
    compiled = Compiled("SELECT 1", {"org": -5, "invited": [-5], "kind": "carrier"},
                        {"org": None, "invited": lambda v: ("json", v), "kind": None})
    assert compiled.constants({-5: 42}) == {"org": 42, "invited": ("json", [42]), "kind": "carrier"}
