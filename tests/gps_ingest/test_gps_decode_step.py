"""Tests for gps_ingest.decode: routing, size limit and drop counting of the decode step."""

from __future__ import annotations

from gps_ingest.decode import DecodeStep
from gps_ingest.decoders import default_decoders
from gps_ingest.metrics import Metrics
from gps_ingest.model import DropReason, Message
from gps_ingest.settings import IngestSettings


def step(resolver, metrics, **settings):
    return DecodeStep(default_decoders(resolver), IngestSettings(**settings), metrics)


def test_routes_each_transport_to_its_decoder(resolver, data):
    """Haul and OwnTracks topics, OsmAnd and OwnTracks HTTP requests each reach their decoder."""
    metrics = Metrics()
    decode = step(resolver, metrics)
    haul = decode(Message("a", "mqtt", "haul/v1/vehicles/truck-1/position", data("haul_position.json")))
    owntracks = decode(Message("b", "mqtt", "owntracks/jan/truck7", data("owntracks_location.json")))
    osmand = decode(Message("c", "http", query=data("osmand_query.txt").decode(), device="dev-8"))
    owntracks_http = decode(Message("d", "http", "owntracks/jan/truck7", data("owntracks_location.json"),
                                    device="jan"))
    assert [p.source for p in haul + owntracks + osmand + owntracks_http] == [
        "haul", "owntracks", "osmand", "owntracks"]
    assert sum(metrics.counts.values()) == 0


def test_oversized_payload_is_dropped_before_parsing(resolver, caplog):
    """A payload above max_payload_bytes is dropped as oversized with one log line."""
    metrics = Metrics()
    message = Message("big", "mqtt", "haul/v1/vehicles/truck-1/position", b" " * (256 * 1024 + 1))
    with caplog.at_level("INFO", logger="gps_ingest.drop"):
        assert step(resolver, metrics)(message) == []
    assert metrics.counts[DropReason.OVERSIZED] == 1
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["drop oversized"]


def test_payload_at_the_limit_is_parsed(resolver):
    """Exactly max_payload_bytes is not oversized (it fails later, as malformed JSON)."""
    metrics = Metrics()
    step(resolver, metrics, max_payload_bytes=10)(
        Message("x", "mqtt", "haul/v1/vehicles/truck-1/position", b"0123456789")
    )
    assert metrics.counts[DropReason.OVERSIZED] == 0
    assert metrics.counts[DropReason.MALFORMED_JSON] == 1


def test_unrouted_topic_is_unknown_topic(resolver):
    """A topic no decoder accepts is dropped as unknown_topic."""
    metrics = Metrics()
    assert step(resolver, metrics)(Message("x", "mqtt", "other/topic", b"{}")) == []
    assert metrics.counts[DropReason.UNKNOWN_TOPIC] == 1


def test_batch_drops_are_counted_per_fix(resolver, data, caplog):
    """Each bad fix in a batch is one count and one log line naming the field; good fixes go on."""
    metrics = Metrics()
    with caplog.at_level("INFO", logger="gps_ingest.drop"):
        positions = step(resolver, metrics)(
            Message("m", "mqtt", "haul/v1/vehicles/truck-1/position", data("haul_batch.json"))
        )
    assert len(positions) == 3
    assert metrics.counts == {"wrong_type": 1}
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith("drop wrong_type: message=m topic=haul/v1/vehicles/truck-1/"
                                                     "position field=positions/2/lat")


def test_ignored_messages_are_counted_as_ignored(resolver, data):
    """An OwnTracks transition counts as ignored, not as a drop."""
    metrics = Metrics()
    step(resolver, metrics)(Message("t", "mqtt", "owntracks/jan/truck7", data("owntracks_transition.json")))
    assert metrics.ignored == 1 and sum(metrics.counts.values()) == 0
