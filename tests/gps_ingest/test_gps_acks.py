"""Tests for gps_ingest.acks: when and in which order messages may be acknowledged."""

from __future__ import annotations

import pytest

from gps_ingest.acks import AnyOrderAcks, InOrderAcks


def test_in_order_waits_for_earlier_messages():
    """A committed message is handed out only after every earlier one is committed."""
    acks = InOrderAcks()
    acks.track("a", 2)
    acks.track("b", 1)
    acks.track("c", 0)
    acks.settle("b")
    assert acks.ready() == []
    acks.settle("a")
    assert acks.ready() == []
    acks.settle("a")
    assert acks.ready() == ["a", "b", "c"]
    assert acks.ready() == [] and acks.pending() == 0


def test_any_order_hands_out_each_when_committed():
    """Without ordering, each message is handed out as soon as its fixes are settled."""
    acks = AnyOrderAcks()
    acks.track("a", 1)
    acks.track("b", 1)
    acks.settle("b")
    assert acks.ready() == ["b"]
    acks.settle("a")
    assert acks.ready() == ["a"]


def test_misuse_is_loud():
    """Tracking an in-flight id twice or over-settling raises instead of acking wrongly."""
    acks = InOrderAcks()
    acks.track("a", 1)
    with pytest.raises(ValueError):
        acks.track("a", 1)
    acks.settle("a")
    with pytest.raises(ValueError):
        acks.settle("a")
    assert "a" in acks and "z" not in acks
