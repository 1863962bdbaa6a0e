"""Tests for gps_ingest.publish: best-effort fan-out of committed fixes and events."""

from __future__ import annotations

import json

from gps_ingest.metrics import Metrics
from gps_ingest.model import Event, ZoneTag
from gps_ingest.publish import InMemoryPublisher, PublishStep, event_to_dict, position_to_dict


def test_new_fixes_and_their_events_are_published(make_fix, now):
    """A newly stored fix is published, then each of its events."""
    publisher = InMemoryPublisher()
    event = Event("truck-1", "zone_enter", now, "plant-rtm", {"zone_kind": "pickup"})
    PublishStep(publisher, Metrics())(make_fix(inserted=True, events=(event,)))
    assert len(publisher.positions) == 1 and publisher.events == [event]


def test_redelivered_fixes_are_not_published_again(make_fix):
    """A fix the store already had (inserted False) is skipped."""
    publisher = InMemoryPublisher()
    PublishStep(publisher, Metrics())(make_fix(inserted=False))
    assert publisher.positions == []


def test_failing_publisher_is_counted_and_the_fix_passes(make_fix):
    """A publisher that raises does not drop the fix; publish_errors counts it."""

    class Down:
        def publish_position(self, position):
            raise ConnectionError("redis down")

        def publish_event(self, event):
            raise AssertionError("not reached")

    metrics = Metrics()
    p = make_fix(inserted=True)
    assert PublishStep(Down(), metrics)(p) is p
    assert metrics.publish_errors == 1


def test_dict_views_are_json_serialisable(make_fix, now):
    """position_to_dict and event_to_dict produce plain JSON."""
    p = make_fix(zones=(ZoneTag("plant-rtm", "pickup"),), eta=now, eta_site_id="plant-rtm")
    doc = json.loads(json.dumps(position_to_dict(p)))
    assert doc["zones"] == [{"site_id": "plant-rtm", "kind": "pickup"}] and doc["eta"] == now.isoformat()
    e = json.loads(json.dumps(event_to_dict(Event("truck-1", "dwell", now, "plant-rtm", {"minutes": 10.0}))))
    assert e["kind"] == "dwell" and e["data"] == {"minutes": 10.0}
