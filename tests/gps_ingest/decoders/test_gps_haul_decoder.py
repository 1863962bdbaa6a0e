"""Tests for gps_ingest.decoders.haul: Haul v1 positions and batches."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from gps_ingest.decoders.common import Reject
from gps_ingest.decoders.haul import HaulDecoder
from gps_ingest.model import DropReason, Message


@pytest.fixture
def decoder(resolver):
    return HaulDecoder(resolver)


def test_single_position_maps_every_field(decoder, data):
    """A v1 position message becomes one fix with the topic's vehicle and all fields mapped."""
    message = Message("m1", "mqtt", "haul/v1/vehicles/truck-1/position", data("haul_position.json"))
    decoded = decoder.decode(message)
    assert decoded.drops == [] and not decoded.ignored
    [p] = decoded.positions
    assert p.vehicle_id == "truck-1" and p.message_id == "m1" and p.source == "haul"
    assert p.time == datetime(2024, 6, 10, 7, 59, tzinfo=UTC)
    assert (p.lat, p.lon, p.speed, p.heading, p.accuracy, p.altitude, p.battery, p.seq) == (
        51.92,
        4.48,
        13.9,
        92.0,
        6.0,
        4.0,
        81.0,
        1042,
    )


def test_batch_yields_each_fix_and_drops_only_the_bad_one(decoder, data):
    """A batch decodes to its fixes in message order; a fix with a string lat is dropped alone."""
    message = Message("m2", "mqtt", "haul/v1/vehicles/truck-1/position", data("haul_batch.json"))
    decoded = decoder.decode(message)
    assert [p.seq for p in decoded.positions] == [1040, 1039, 1042]
    assert [(r.reason, r.path) for r in decoded.drops] == [(DropReason.WRONG_TYPE, "positions/2/lat")]


def test_empty_batch_is_ignored_not_dropped(decoder, haul_message):
    """An empty batch carries no fix and is reported as ignored."""
    decoded = decoder.decode(haul_message({"_type": "batch", "v": 1, "positions": []}))
    assert decoded.positions == [] and decoded.drops == [] and decoded.ignored


@pytest.mark.parametrize(
    ("payload", "reason", "path"),
    [
        (b"{not json", DropReason.MALFORMED_JSON, ""),
        (b"\xff\xfe", DropReason.MALFORMED_JSON, ""),
        (b"[1, 2]", DropReason.WRONG_TYPE, ""),
        ({"v": 1, "t": 1, "lat": 1, "lon": 1}, DropReason.MISSING_FIELD, "_type"),
        ({"_type": "position", "t": 1, "lat": 1, "lon": 1}, DropReason.MISSING_FIELD, "v"),
        ({"_type": "position", "v": "1", "t": 1, "lat": 1, "lon": 1}, DropReason.WRONG_TYPE, "v"),
        ({"_type": "position", "v": 2, "t": 1, "lat": 1, "lon": 1}, DropReason.UNSUPPORTED_VERSION, "v"),
        ({"_type": "status", "v": 1}, DropReason.UNKNOWN_TYPE, "_type"),
        ({"_type": "batch", "v": 1}, DropReason.MISSING_FIELD, "positions"),
        ({"_type": "batch", "v": 1, "positions": {"t": 1}}, DropReason.WRONG_TYPE, "positions"),
    ],
)
def test_bad_envelopes_reject_the_message(decoder, haul_message, payload, reason, path):
    """Envelope problems reject the whole message with the matching reason, naming the field."""
    with pytest.raises(Reject) as caught:
        decoder.decode(haul_message(payload))
    assert (caught.value.reason, caught.value.path) == (reason, path)


@pytest.mark.parametrize(
    ("change", "reason", "path"),
    [
        ({"t": None}, DropReason.MISSING_FIELD, "t"),
        ({"lat": None}, DropReason.MISSING_FIELD, "lat"),
        ({"lon": True}, DropReason.WRONG_TYPE, "lon"),
        ({"speed": "fast"}, DropReason.WRONG_TYPE, "speed"),
        ({"seq": 1.5}, DropReason.WRONG_TYPE, "seq"),
        ({"t": 10**30}, DropReason.TIME_OUT_OF_RANGE, "t"),
        ({"lat": 10**400}, DropReason.NAN_OR_INF, "lat"),
    ],
)
def test_bad_fields_of_a_single_position_are_reported(decoder, haul_message, haul_fix, change, reason, path):
    """A single position with a bad field is reported as a drop with the field's reason and path."""
    payload = {**haul_fix(), **change}
    payload = {k: v for k, v in payload.items() if v is not None}
    decoded = decoder.decode(haul_message(payload))
    assert decoded.positions == []
    assert [(r.reason, r.path) for r in decoded.drops] == [(reason, path)]


def test_nan_literal_decodes_for_the_validate_step(decoder, haul_message):
    """JSON NaN is parsed as a float; catching it is the validate step's job."""
    body = b'{"_type":"position","v":1,"t":1718006340000,"lat":NaN,"lon":4.48}'
    [p] = decoder.decode(haul_message(body)).positions
    assert p.lat != p.lat


def test_payload_claiming_another_vehicle_is_topic_mismatch(decoder, haul_message, haul_fix):
    """A payload vid different from the topic's vehicle rejects the message."""
    with pytest.raises(Reject) as caught:
        decoder.decode(haul_message(haul_fix(vid="truck-2")))
    assert caught.value.reason is DropReason.TOPIC_MISMATCH


def test_matching_vid_is_accepted(decoder, haul_message, haul_fix):
    """A payload vid equal to the topic's vehicle is fine."""
    assert len(decoder.decode(haul_message(haul_fix(vid="truck-1"))).positions) == 1


def test_device_not_bound_to_topic_vehicle_is_topic_mismatch(decoder, haul_message, haul_fix):
    """An authenticated device bound to another vehicle may not publish on this topic."""
    with pytest.raises(Reject) as caught:
        decoder.decode(haul_message(haul_fix(), vehicle="truck-1", device="dev-2"))
    assert caught.value.reason is DropReason.TOPIC_MISMATCH
    assert len(decoder.decode(haul_message(haul_fix(), vehicle="truck-1", device="dev-1")).positions) == 1


def test_unknown_vehicle_on_topic(decoder, haul_message, haul_fix):
    """A topic naming a vehicle the resolver does not know rejects as unknown_vehicle."""
    with pytest.raises(Reject) as caught:
        decoder.decode(haul_message(haul_fix(), vehicle="ghost"))
    assert caught.value.reason is DropReason.UNKNOWN_VEHICLE


def test_non_position_topic_is_unknown_topic(decoder, haul_fix):
    """The status topic and malformed topics are not decoded as positions."""
    for topic in (
        "haul/v1/vehicles/truck-1/status",
        "haul/v1/vehicles//position",
        "haul/v1/vehicles/a/b/position",
    ):
        with pytest.raises(Reject) as caught:
            decoder.decode(Message("m", "mqtt", topic, json.dumps(haul_fix()).encode()))
        assert caught.value.reason is DropReason.UNKNOWN_TOPIC


def test_accepts_only_haul_mqtt_topics(decoder):
    """The decoder claims MQTT messages under haul/v1/vehicles/ only."""
    assert decoder.accepts(Message("m", "mqtt", "haul/v1/vehicles/x/position"))
    assert not decoder.accepts(Message("m", "mqtt", "owntracks/a/b"))
    assert not decoder.accepts(Message("m", "http", "haul/v1/vehicles/x/position"))


def test_deeply_nested_json_is_malformed_not_a_crash(decoder, haul_message):
    """Nesting deep enough to exhaust the parser's recursion is rejected as malformed_json."""
    with pytest.raises(Reject) as caught:
        decoder.decode(haul_message(b"[" * 200_000))
    assert caught.value.reason is DropReason.MALFORMED_JSON
