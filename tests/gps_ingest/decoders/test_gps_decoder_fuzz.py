"""Property tests: every decoder survives arbitrary bytes and JSON-ish payloads, and counts bad input."""

from __future__ import annotations

import json

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gps_ingest.attributes import MAX_BYTES, MAX_KEYS
from gps_ingest.decode import DecodeStep
from gps_ingest.decoders import StaticResolver, default_decoders
from gps_ingest.decoders.common import Decoded, Reject
from gps_ingest.decoders.osmand import claimed_device_id
from gps_ingest.metrics import Metrics
from gps_ingest.model import Message
from gps_ingest.settings import IngestSettings

RESOLVER = StaticResolver(
    {
        ("haul", "truck-1"): "truck-1",
        ("owntracks", "jan/truck7"): "truck-7",
        ("device", "dev-1"): "truck-1",
        ("device", "jan"): "truck-7",
    }
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HAUL_KEYS = [
    "_type",
    "v",
    "t",
    "lat",
    "lon",
    "speed",
    "heading",
    "acc",
    "alt",
    "batt",
    "seq",
    "vid",
    "positions",
]
OWNTRACKS_KEYS = ["_type", "lat", "lon", "tst", "acc", "vel", "cog", "alt", "batt", "tid", "topic", "t", "conn", "bs",
                  "m", "vac", "p"]
OSMAND_JSON_KEYS = [
    "device_id",
    "location",
    "timestamp",
    "coords",
    "latitude",
    "longitude",
    "speed",
    "heading",
    "accuracy",
    "altitude",
    "battery",
    "level",
    "is_moving",
    "odometer",
    "event",
    "activity",
    "type",
    "is_charging",
    "altitude_accuracy",
]
OSMAND_PARAMS = [
    "id",
    "deviceid",
    "lat",
    "lon",
    "location",
    "timestamp",
    "speed",
    "bearing",
    "heading",
    "altitude",
    "accuracy",
    "batt",
    "valid",
    "hdop",
    "charge",
    "fuel",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=0, max_value=2 * 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-200, max_value=200),
    st.text(max_size=12),
    st.sampled_from(
        [
            "position",
            "batch",
            "location",
            "transition",
            "truck-1",
            "48241179",
            "2024-06-10T07:59:00Z",
            "owntracks/jan/truck7",
        ]
    ),
    st.just(1),
)


def json_ish(keys: list[str]):
    """JSON values whose objects mostly use the decoder's own field names."""
    key = st.one_of(st.sampled_from(keys), st.text(max_size=6))
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(key, inner, max_size=len(keys)),
        max_leaves=25,
    )


def dumps(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


def assert_bounded(attributes) -> None:
    """Attributes stay within gps_ingest.attributes' limits and are storable JSON on both backends."""
    if attributes is None:
        return
    assert 0 < len(attributes) <= MAX_KEYS
    assert len(orjson.dumps(attributes)) <= MAX_BYTES
    assert all(isinstance(v, bool | int | float | str) for v in attributes.values())
    assert not any(isinstance(v, str) and "\x00" in v for v in attributes.values())


def check_decoder(decoder, message: Message) -> None:
    """The decoder returns a Decoded or raises Reject, and the DecodeStep counts the outcome."""
    try:
        result = decoder.decode(message)
    except Reject:
        pass
    else:
        assert isinstance(result, Decoded)
        assert all(p.message_id == message.id for p in result.positions)
        for p in result.positions:
            assert_bounded(p.attributes)
    metrics = Metrics()
    positions = DecodeStep(default_decoders(RESOLVER), IngestSettings(), metrics)(message)
    dropped = sum(metrics.counts.values())
    assert positions or dropped or metrics.ignored, "a message vanished without being counted"


@FUZZ
@given(payload=st.binary(max_size=300), vehicle=st.sampled_from(["truck-1", "ghost", ""]))
def test_haul_decoder_survives_arbitrary_bytes(payload, vehicle):
    """Arbitrary bytes on a Haul topic never raise anything but Reject and are always counted."""
    decoder = default_decoders(RESOLVER)[0]
    check_decoder(decoder, Message("f", "mqtt", f"haul/v1/vehicles/{vehicle}/position", payload))


@FUZZ
@given(
    doc=json_ish(HAUL_KEYS),
    batch=st.lists(json_ish(HAUL_KEYS), max_size=5),
    as_batch=st.booleans(),
    device=st.sampled_from([None, "dev-1", "dev-9"]),
)
def test_haul_decoder_survives_json_ish_payloads(doc, batch, as_batch, device):
    """Random Haul-like JSON (single or batch) never raises anything but Reject and is counted."""
    if as_batch:
        doc = {"_type": "batch", "v": 1, "positions": batch}
    decoder = default_decoders(RESOLVER)[0]
    check_decoder(
        decoder, Message("f", "mqtt", "haul/v1/vehicles/truck-1/position", dumps(doc), device=device)
    )


@FUZZ
@given(
    payload=st.binary(max_size=300),
    topic=st.sampled_from(
        [
            "owntracks/jan/truck7",
            "owntracks/jan",
            "owntracks//x",
            "owntracks/jan/truck7/event",
            "owntracks/a/b",
        ]
    ),
)
def test_owntracks_decoder_survives_arbitrary_bytes(payload, topic):
    """Arbitrary bytes on OwnTracks topics never raise anything but Reject and are counted."""
    check_decoder(default_decoders(RESOLVER)[1], Message("f", "mqtt", topic, payload))


@FUZZ
@given(doc=json_ish(OWNTRACKS_KEYS), located=st.booleans())
def test_owntracks_decoder_survives_json_ish_payloads(doc, located):
    """Random OwnTracks-like JSON never raises anything but Reject and is counted."""
    if located and isinstance(doc, dict):
        doc["_type"] = "location"
    check_decoder(default_decoders(RESOLVER)[1], Message("f", "mqtt", "owntracks/jan/truck7", dumps(doc)))
    check_decoder(default_decoders(RESOLVER)[1], Message("f", "http", "owntracks/jan/truck7", dumps(doc), device="jan"))


@FUZZ
@given(
    payload=st.binary(max_size=300),
    query=st.text(max_size=200),
    content_type=st.sampled_from(["", "application/json", "application/x-www-form-urlencoded"]),
)
def test_osmand_decoder_survives_arbitrary_requests(payload, query, content_type):
    """Arbitrary query strings and bodies never raise anything but Reject and are counted."""
    check_decoder(
        default_decoders(RESOLVER)[2],
        Message("f", "http", query=query, payload=payload, content_type=content_type, device="dev-1"),
    )
    claimed_device_id(query, payload, content_type)  # the server reads the id of any request without raising


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(OSMAND_PARAMS),
        st.one_of(
            st.text(max_size=15),
            st.sampled_from(
                [
                    "48241179",
                    "51.9",
                    "4.4",
                    "1718006340",
                    "nan",
                    "-inf",
                    "1e999",
                    "2024-06-10T07:59:00Z",
                    "51.9,4.4",
                    "false",
                ]
            ),
        ),
    ),
    extra=st.dictionaries(st.text(min_size=1, max_size=40), st.text(max_size=80), max_size=25),
)
def test_osmand_decoder_survives_parameter_soup(params, extra):
    """Random OsmAnd parameter sets, unknown ones included, never raise anything but Reject and are counted."""
    from urllib.parse import urlencode

    check_decoder(default_decoders(RESOLVER)[2], Message("f", "http", query=urlencode({**extra, **params}),
                                                         device="dev-1"))


@FUZZ
@given(doc=json_ish(OSMAND_JSON_KEYS), wrap=st.booleans())
def test_osmand_decoder_survives_json_ish_payloads(doc, wrap):
    """Random Traccar-JSON-like documents never raise anything but Reject and are counted."""
    if wrap:
        doc = {"device_id": "48241179", "location": doc}
    check_decoder(
        default_decoders(RESOLVER)[2],
        Message("f", "http", payload=dumps(doc), content_type="application/json", device="dev-1"),
    )
