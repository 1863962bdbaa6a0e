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


@pytest.mark.parametrize("tst", ["1718006340", 1718006340, 1718006340.0])
def test_tst_may_be_a_string_of_digits(decoder, data, tst):
    """tst as a JSON number or as a string of digits (as OwnTracks may send it) is the same time."""
    doc = {**json.loads(data("owntracks_location.json")), "tst": tst}
    [p] = decoder.decode(message(doc)).positions
    assert p.time == datetime(2024, 6, 10, 7, 59, tzinfo=UTC)


@pytest.mark.parametrize("tst", ["17e8", "1718006340.5", "-1718006340", " 1718006340", "", "１７１８", True, [1]])
def test_tst_strings_must_be_digits_only(decoder, data, tst):
    """Any other tst text (exponents, decimals, signs, blanks, non-ASCII digits) or type is wrong_type on tst."""
    doc = {**json.loads(data("owntracks_location.json")), "tst": tst}
    with pytest.raises(Reject) as caught:
        decoder.decode(message(doc))
    assert (caught.value.reason, caught.value.path) == (DropReason.WRONG_TYPE, "tst")


def test_missing_fields_are_named(decoder, data):
    """A location without tst or lat names the field."""
    for field in ("tst", "lat", "lon"):
        doc = {k: v for k, v in json.loads(data("owntracks_location.json")).items() if k != field}
        with pytest.raises(Reject) as caught:
            decoder.decode(message(doc))
        assert (caught.value.reason, caught.value.path) == (DropReason.MISSING_FIELD, field)


def test_extended_data_is_kept_as_attributes(decoder, data):
    """Trigger, connection, tracker id, battery status, vertical accuracy and mode are kept; the SSID is not."""
    [p] = decoder.decode(message(data("owntracks_location_http.json"))).positions
    assert p.attributes == {"trigger": "u", "connection": "w", "tracker_id": "t7", "battery_status": "charging",
                            "vertical_accuracy": 4, "monitoring": 2}
    assert p.altitude == 3.0


def test_each_device_of_a_user_is_its_own_vehicle(decoder, data):
    """owntracks/jan/truck7 and owntracks/jan/van3 are two vehicles; a device no login names is unknown."""
    doc = {k: v for k, v in json.loads(data("owntracks_location.json")).items() if k != "topic"}
    vehicles = {d: decoder.decode(message(doc, topic=f"owntracks/jan/{d}")).positions[0].vehicle_id
                for d in ("truck7", "van3")}
    assert vehicles == {"truck7": "truck-7", "van3": "truck-3"}
    with pytest.raises(Reject) as caught:
        decoder.decode(message(doc, topic="owntracks/jan/tablet"))
    assert caught.value.reason is DropReason.UNKNOWN_VEHICLE


def test_http_mode_payload_decodes_for_its_login(decoder, data):
    """An HTTP-mode request (topic built by the server, login authenticated) decodes like MQTT."""
    msg = Message("o2", "http", topic=TOPIC, payload=data("owntracks_location_http.json"), device="jan")
    [p] = decoder.decode(msg).positions
    assert p.vehicle_id == "truck-7" and p.time == datetime(2024, 6, 10, 7, 59, tzinfo=UTC)


def test_empty_payload_is_ignored_and_encrypted_is_refused(decoder):
    """An empty POST (a deleted friend) is ignored; an encrypted payload cannot be read: unknown_type."""
    assert decoder.decode(message(b"")).ignored
    with pytest.raises(Reject) as caught:
        decoder.decode(message({"_type": "encrypted", "data": "abc"}))
    assert caught.value.reason is DropReason.UNKNOWN_TYPE


def test_short_topic_is_unknown_topic(decoder, data):
    """A topic without user and device cannot identify a vehicle."""
    with pytest.raises(Reject) as caught:
        decoder.decode(message(data("owntracks_location.json"), topic="owntracks/jan"))
    assert caught.value.reason is DropReason.UNKNOWN_TOPIC
