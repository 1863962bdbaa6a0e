"""Tests for gps_ingest.decoders.osmand: OsmAnd parameters and Traccar Client JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from gps_ingest.decoders.common import Reject
from gps_ingest.decoders.osmand import KNOT_MPS, OsmAndDecoder, claimed_device_id
from gps_ingest.model import DropReason, Message


@pytest.fixture
def decoder(resolver, clock):
    return OsmAndDecoder(resolver, clock)


def query(q: str, device="dev-8") -> Message:
    """A request the server authenticated as ``device`` (the login of truck-8 by default)."""
    return Message("h1", "http", query=q, device=device)


def body(payload: bytes, device="dev-8", content_type="application/json") -> Message:
    return Message("h2", "http", payload=payload, content_type=content_type, device=device)


def decode_one(decoder, msg):
    decoded = decoder.decode(msg)
    assert decoded.drops == []
    [p] = decoded.positions
    return p


def test_query_parameters_map_fields_and_convert_knots(decoder, data):
    """Query parameters become a fix of the login's vehicle; speed in knots becomes m/s."""
    p = decode_one(decoder, query(data("osmand_query.txt").decode()))
    assert p.vehicle_id == "truck-8" and p.source == "osmand"
    assert p.time == datetime(2024, 6, 10, 7, 59, tzinfo=UTC)
    assert p.speed == pytest.approx(10 * KNOT_MPS)
    assert (p.lat, p.lon, p.heading, p.altitude, p.accuracy, p.battery) == (51.92, 4.48, 92.0, 4.0, 5.0, 80.0)
    assert p.attributes is None


def test_other_parameters_are_kept_as_attributes(decoder, data):
    """hdop, sat, charge and a tracker's own parameters are kept (numbers, booleans, text); altitude too."""
    p = decode_one(decoder, query(data("osmand_query_attributes.txt").decode()))
    assert p.altitude == 35.5
    assert p.attributes == {"charging": True, "hdop": 1.2, "sat": 9.0, "driverUniqueId": "D-42", "fuel": 63.5,
                            "ignition": False}


def test_missing_timestamp_uses_the_receive_time_and_marks_it(decoder, data, now):
    """A request without timestamp is stored at the time it arrived, marked time_source=received."""
    p = decode_one(decoder, query(data("osmand_query_no_timestamp.txt").decode()))
    assert p.time == now
    assert p.attributes == {"time_source": "received"}
    assert p.altitude == 4.0


def test_json_without_timestamp_uses_the_receive_time_and_marks_it(decoder, data, now):
    """Traccar Client JSON without a timestamp is stored at the receive time, marked as such."""
    p = decode_one(decoder, body(data("osmand_json_no_timestamp.json")))
    assert p.time == now and p.altitude == 4.0
    assert p.attributes == {"time_source": "received", "vertical_accuracy": 3}


def test_form_body_is_used_when_the_query_is_empty(decoder, data):
    """A POSTed form body carries the same parameters."""
    msg = body(data("osmand_query.txt"), content_type="application/x-www-form-urlencoded")
    assert decode_one(decoder, msg).lat == 51.92


@pytest.mark.parametrize(
    "stamp",
    [
        "1718006340",
        "1718006340000",
        "2024-06-10T07:59:00Z",
        "2024-06-10T09:59:00+02:00",
        "2024-06-10 07:59:00",
    ],
)
def test_timestamp_formats(decoder, stamp):
    """Epoch seconds, epoch milliseconds, ISO 8601 and 'YYYY-MM-DD HH:MM:SS' all parse to UTC."""
    p = decode_one(decoder, query(f"id=48241179&lat=51.9&lon=4.4&timestamp={stamp.replace('+', '%2B')}"))
    assert p.time == datetime(2024, 6, 10, 7, 59, tzinfo=UTC)


def test_location_parameter_and_deviceid_alias(decoder):
    """location=lat,lon is accepted like lat/lon, with deviceid= instead of id=."""
    p = decode_one(decoder, query("deviceid=48241179&location=51.9,4.4&timestamp=1718006340&heading=10"))
    assert (p.lat, p.lon, p.heading) == (51.9, 4.4, 10.0)


@pytest.mark.parametrize(
    ("q", "reason", "path"),
    [
        ("id=x&lon=4.4&timestamp=1718006340", DropReason.MISSING_FIELD, "lat"),
        ("id=x&lat=51.9&timestamp=1718006340", DropReason.MISSING_FIELD, "lon"),
        ("id=x&lat=north&lon=4.4&timestamp=1718006340", DropReason.WRONG_TYPE, "lat"),
        ("id=x&location=51.9&timestamp=1718006340", DropReason.WRONG_TYPE, "location"),
        ("id=x&lat=51.9&lon=4.4&timestamp=yesterday", DropReason.WRONG_TYPE, "timestamp"),
        ("id=x&lat=51.9&lon=4.4&timestamp=nan", DropReason.NAN_OR_INF, "timestamp"),
        ("id=x&lat=51.9&lon=4.4&timestamp=1718006340&valid=false", DropReason.INVALID_FIX, "valid"),
        ("id=x&lat=51.9&lon=4.4&timestamp=1718006340&speed=fast", DropReason.WRONG_TYPE, "speed"),
    ],
)
def test_bad_parameters_reject_naming_the_field(decoder, q, reason, path):
    """Each parameter problem rejects the request with its reason and the parameter's name."""
    with pytest.raises(Reject) as caught:
        decoder.decode(query(q))
    assert (caught.value.reason, caught.value.path) == (reason, path)


def test_vehicle_is_the_authenticated_logins(decoder, data):
    """The login the server authenticated decides the vehicle; the id in the request is not looked up."""
    assert decode_one(decoder, query(data("osmand_query.txt").decode(), device="dev-1")).vehicle_id == "truck-1"


@pytest.mark.parametrize("device", [None, "revoked-login"])
def test_request_without_a_live_login_is_unknown_vehicle(decoder, data, device):
    """A request no live login sent (never the case past the server's check) stores nothing."""
    with pytest.raises(Reject) as caught:
        decoder.decode(query(data("osmand_query.txt").decode(), device=device))
    assert caught.value.reason is DropReason.UNKNOWN_VEHICLE


def test_json_variant_maps_fields_and_attributes(decoder, data):
    """Traccar Client 9 JSON: m/s speed kept, battery level 0..1 becomes percent, ms kept, extras kept."""
    p = decode_one(decoder, body(data("osmand_json.json")))
    assert p.vehicle_id == "truck-8"
    assert p.time == datetime(2024, 6, 10, 7, 59, 0, 250000, tzinfo=UTC)
    assert (p.lat, p.lon, p.speed, p.heading, p.accuracy, p.altitude) == (51.92, 4.48, 12.5, 92.0, 5.0, 4.0)
    assert p.battery == pytest.approx(81.0)
    assert p.attributes == {"motion": True, "odometer": 1200, "event": "motionchange", "activity": "in_vehicle",
                            "charging": False}


def test_json_array_drops_only_the_bad_element_naming_its_field(decoder, data):
    """A location array decodes each element; one without longitude is dropped alone, its path named."""
    decoded = decoder.decode(body(data("osmand_json_batch.json"), content_type=""))
    assert [p.time.second for p in decoded.positions] == [0, 30]
    assert [(r.reason, r.path) for r in decoded.drops] == [(DropReason.MISSING_FIELD, "location/1/coords/longitude")]


@pytest.mark.parametrize(
    ("doc", "reason", "path"),
    [
        ({"device_id": "48241179"}, DropReason.MISSING_FIELD, "location"),
        ([{"location": {}}], DropReason.WRONG_TYPE, ""),
    ],
)
def test_bad_json_documents_reject(decoder, doc, reason, path):
    """JSON without a location, or not an object, rejects the request."""
    with pytest.raises(Reject) as caught:
        decoder.decode(body(json.dumps(doc).encode()))
    assert (caught.value.reason, caught.value.path) == (reason, path)


def test_json_element_errors_are_per_fix_and_named(decoder):
    """Bad timestamp, coords or battery in a JSON location drop that fix with the right reason and path."""
    base = {"timestamp": "2024-06-10T07:59:00Z", "coords": {"latitude": 1.0, "longitude": 2.0}}
    cases = [
        ({**base, "timestamp": True}, DropReason.WRONG_TYPE, "timestamp"),
        ({**base, "timestamp": "soon"}, DropReason.WRONG_TYPE, "timestamp"),
        ({**base, "coords": None}, DropReason.MISSING_FIELD, "coords"),
        ({**base, "coords": [1, 2]}, DropReason.WRONG_TYPE, "coords"),
        ({**base, "coords": {"latitude": "1", "longitude": 2.0}}, DropReason.WRONG_TYPE, "coords/latitude"),
        ({**base, "battery": 0.5}, DropReason.WRONG_TYPE, "battery"),
        ({**base, "battery": {"level": "full"}}, DropReason.WRONG_TYPE, "battery/level"),
        ("nope", DropReason.WRONG_TYPE, ""),
    ]
    doc = {"device_id": "48241179", "location": [loc for loc, _, _ in cases]}
    decoded = decoder.decode(body(json.dumps(doc).encode()))
    assert decoded.positions == []
    assert [(r.reason, r.path) for r in decoded.drops] == [
        (reason, f"location/{i}/{path}".rstrip("/")) for i, (_, reason, path) in enumerate(cases)]


@pytest.mark.parametrize(
    ("q", "payload", "content_type", "claimed"),
    [
        ("id=abc&lat=1", b"", "", "abc"),
        ("deviceid=abc&lat=1", b"", "", "abc"),
        ("", b"id=abc&lat=1", "application/x-www-form-urlencoded", "abc"),
        ("", b'{"device_id": 48241179, "location": {}}', "application/json", "48241179"),
        ("", b'{"device_id": "abc"}', "", "abc"),
        ("lat=1", b"", "", None),
        ("", b'{"device_id": ["abc"]}', "application/json", None),
        ("", b"{broken", "application/json", None),
    ],
)
def test_claimed_device_id_is_read_from_every_form(q, payload, content_type, claimed):
    """The id a request names (query, form body, JSON, numeric JSON) is what the server authenticates."""
    assert claimed_device_id(q, payload, content_type) == claimed
