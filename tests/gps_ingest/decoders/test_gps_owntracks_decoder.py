"""Tests for gps_ingest.decoders.owntracks: OwnTracks location messages over MQTT."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from gps_ingest.decoders.common import Reject
from gps_ingest.decoders.owntracks import OwnTracksDecoder
from gps_ingest.model import DropReason, Message

TOPIC = "owntracks/jan/truck7"


@pytest.fixture
def decoder(resolver):
    return OwnTracksDecoder(resolver)


def message(payload, topic=TOPIC, device=None) -> Message:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Message("o1", "mqtt", topic, body, device=device)


def test_location_maps_fields_and_converts_units(decoder, data):
    """A location becomes a fix of the resolved vehicle; vel km/h becomes m/s, tst seconds a time."""
    [p] = decoder.decode(message(data("owntracks_location.json"))).positions
    assert p.vehicle_id == "truck-7" and p.source == "owntracks"
    assert p.time == datetime(2024, 6, 10, 7, 59, tzinfo=UTC)
    assert p.speed == pytest.approx(15.0)
    assert (p.lat, p.lon, p.heading, p.accuracy, p.altitude, p.battery) == (51.92, 4.48, 90.0, 8.0, 3.0, 77.0)


def test_other_types_and_subtopics_are_ignored(decoder, data):
    """Transitions, LWT and sub-topic messages carry no fix and are ignored, not dropped."""
    assert decoder.decode(message(data("owntracks_transition.json"))).ignored
    assert decoder.decode(message({"_type": "lwt", "tst": 1})).ignored
    assert decoder.decode(message(b"garbage", topic=TOPIC + "/event")).ignored


def test_payload_topic_must_match(decoder, data):
    """A payload topic different from the message topic is topic_mismatch."""
    doc = json.loads(data("owntracks_location.json"))
    doc["topic"] = "owntracks/eve/truck7"
    with pytest.raises(Reject) as caught:
        decoder.decode(message(doc))
    assert caught.value.reason is DropReason.TOPIC_MISMATCH


def test_unknown_device_is_unknown_vehicle(decoder, data):
    """A user/device pair the resolver does not know is unknown_vehicle."""
    doc = json.loads(data("owntracks_location.json"))
    del doc["topic"]
    with pytest.raises(Reject) as caught:
        decoder.decode(message(doc, topic="owntracks/eve/phone"))
    assert caught.value.reason is DropReason.UNKNOWN_VEHICLE


def test_authenticated_device_must_be_bound_to_the_vehicle(decoder, data):
    """An authenticated device bound to another vehicle is topic_mismatch."""
    with pytest.raises(Reject) as caught:
        decoder.decode(message(data("owntracks_location.json"), device="dev-1"))
    assert caught.value.reason is DropReason.TOPIC_MISMATCH


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"tst": None}, DropReason.MISSING_FIELD),
        ({"lat": None}, DropReason.MISSING_FIELD),
        ({"vel": "50"}, DropReason.WRONG_TYPE),
        ({"_type": 5}, DropReason.WRONG_TYPE),
    ],
)
def test_bad_fields_reject(decoder, data, change, reason):
    """Missing or mistyped location fields reject the message with the field's reason."""
    doc = {**json.loads(data("owntracks_location.json")), **change}
    doc = {k: v for k, v in doc.items() if v is not None}
    with pytest.raises(Reject) as caught:
        decoder.decode(message(doc))
    assert caught.value.reason is reason


def test_short_topic_is_unknown_topic(decoder, data):
    """A topic without user and device cannot identify a vehicle."""
    with pytest.raises(Reject) as caught:
        decoder.decode(message(data("owntracks_location.json"), topic="owntracks/jan"))
    assert caught.value.reason is DropReason.UNKNOWN_TOPIC
