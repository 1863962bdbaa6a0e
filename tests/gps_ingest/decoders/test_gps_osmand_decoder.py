"""Tests for gps_ingest.decoders.osmand: OsmAnd parameters and Traccar Client JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from gps_ingest.decoders.common import Reject
from gps_ingest.decoders.osmand import KNOT_MPS, OsmAndDecoder
from gps_ingest.model import DropReason, Message


@pytest.fixture
def decoder(resolver):
    return OsmAndDecoder(resolver)


def query(q: str, device=None) -> Message:
    return Message("h1", "http", query=q, device=device)


def decode_one(decoder, msg):
    decoded = decoder.decode(msg)
    assert decoded.drops == []
    [p] = decoded.positions
    return p


def test_query_parameters_map_fields_and_convert_knots(decoder, data):
    """Query parameters become a fix; speed in knots becomes m/s and id resolves the vehicle."""
    p = decode_one(decoder, query(data("osmand_query.txt").decode()))
    assert p.vehicle_id == "truck-8" and p.source == "osmand"
    assert p.time == datetime(2024, 6, 10, 7, 59, tzinfo=UTC)
    assert p.speed == pytest.approx(10 * KNOT_MPS)
    assert (p.lat, p.lon, p.heading, p.altitude, p.accuracy, p.battery) == (51.92, 4.48, 92.0, 4.0, 5.0, 80.0)


def test_form_body_is_used_when_the_query_is_empty(decoder, data):
    """A POSTed form body carries the same parameters."""
    msg = Message(
        "h1", "http", payload=data("osmand_query.txt"), content_type="application/x-www-form-urlencoded"
    )
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
    """location=lat,lon and deviceid= are accepted like lat/lon and id."""
    p = decode_one(decoder, query("deviceid=48241179&location=51.9,4.4&timestamp=1718006340&heading=10"))
    assert (p.lat, p.lon, p.heading) == (51.9, 4.4, 10.0)


@pytest.mark.parametrize(
    ("q", "reason"),
    [
        ("lat=51.9&lon=4.4&timestamp=1718006340", DropReason.MISSING_FIELD),
        ("id=48241179&lat=51.9&timestamp=1718006340", DropReason.MISSING_FIELD),
        ("id=48241179&lat=51.9&lon=4.4", DropReason.MISSING_FIELD),
        ("id=48241179&lat=north&lon=4.4&timestamp=1718006340", DropReason.WRONG_TYPE),
        ("id=48241179&location=51.9&timestamp=1718006340", DropReason.WRONG_TYPE),
        ("id=48241179&lat=51.9&lon=4.4&timestamp=yesterday", DropReason.WRONG_TYPE),
        ("id=48241179&lat=51.9&lon=4.4&timestamp=nan", DropReason.NAN_OR_INF),
        ("id=48241179&lat=51.9&lon=4.4&timestamp=1718006340&valid=false", DropReason.INVALID_FIX),
        ("id=999&lat=51.9&lon=4.4&timestamp=1718006340", DropReason.UNKNOWN_VEHICLE),
    ],
)
def test_bad_parameters_reject(decoder, q, reason):
    """Each parameter problem rejects the request with its reason."""
    with pytest.raises(Reject) as caught:
        decoder.decode(query(q))
    assert caught.value.reason is reason


def test_authenticated_device_must_match(decoder, data):
    """HTTP credentials bound to another vehicle than the id's are topic_mismatch."""
    with pytest.raises(Reject) as caught:
        decoder.decode(query(data("osmand_query.txt").decode(), device="dev-1"))
    assert caught.value.reason is DropReason.TOPIC_MISMATCH


def test_json_variant_maps_fields(decoder, data):
    """Traccar Client 9 JSON: m/s speed kept, battery level 0..1 becomes percent, ms kept."""
    msg = Message("h2", "http", payload=data("osmand_json.json"), content_type="application/json")
    p = decode_one(decoder, msg)
    assert p.vehicle_id == "truck-8"
    assert p.time == datetime(2024, 6, 10, 7, 59, 0, 250000, tzinfo=UTC)
    assert (p.lat, p.lon, p.speed, p.heading, p.accuracy, p.altitude) == (51.92, 4.48, 12.5, 92.0, 5.0, 4.0)
    assert p.battery == pytest.approx(81.0)


def test_json_array_drops_only_the_bad_element(decoder, data):
    """A location array decodes each element; one without longitude is dropped alone."""
    decoded = decoder.decode(Message("h3", "http", payload=data("osmand_json_batch.json")))
    assert [p.time.second for p in decoded.positions] == [0, 30]
    assert [r for r, _ in decoded.drops] == [DropReason.MISSING_FIELD]


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"location": {}}, DropReason.MISSING_FIELD),
        ({"device_id": ["x"], "location": {}}, DropReason.WRONG_TYPE),
        ({"device_id": "48241179"}, DropReason.MISSING_FIELD),
        ({"device_id": "nobody", "location": {}}, DropReason.UNKNOWN_VEHICLE),
    ],
)
def test_bad_json_documents_reject(decoder, doc, reason):
    """JSON without a usable device or location rejects the request."""
    with pytest.raises(Reject) as caught:
        decoder.decode(Message("h", "http", payload=json.dumps(doc).encode()))
    assert caught.value.reason is reason


def test_numeric_device_id_is_accepted(decoder, data):
    """A numeric device_id is looked up as its decimal text."""
    doc = json.loads(data("osmand_json.json"))
    doc["device_id"] = 48241179
    assert decode_one(decoder, Message("h", "http", payload=json.dumps(doc).encode())).vehicle_id == "truck-8"


def test_json_element_errors_are_per_fix(decoder):
    """Bad timestamp, coords or battery in a JSON location drop that fix with the right reason."""
    base = {"timestamp": "2024-06-10T07:59:00Z", "coords": {"latitude": 1.0, "longitude": 2.0}}
    cases = [
        ({**base, "timestamp": None}, DropReason.MISSING_FIELD),
        ({**base, "timestamp": True}, DropReason.WRONG_TYPE),
        ({**base, "timestamp": "soon"}, DropReason.WRONG_TYPE),
        ({**base, "coords": None}, DropReason.MISSING_FIELD),
        ({**base, "coords": [1, 2]}, DropReason.WRONG_TYPE),
        ({**base, "battery": 0.5}, DropReason.WRONG_TYPE),
        ("nope", DropReason.WRONG_TYPE),
    ]
    doc = {"device_id": "48241179", "location": [loc for loc, _ in cases]}
    decoded = decoder.decode(Message("h", "http", payload=json.dumps(doc).encode()))
    assert decoded.positions == []
    assert [r for r, _ in decoded.drops] == [reason for _, reason in cases]
