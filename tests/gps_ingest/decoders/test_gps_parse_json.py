"""`parse_json`: orjson where it agrees with the standard library, the standard library everywhere else."""

from __future__ import annotations

import json
import math
from unittest import mock

import pytest

from gps_ingest.decoders import common
from gps_ingest.decoders.common import Reject, parse_json
from gps_ingest.model import DropReason

ODD_PAYLOADS = [
    b"NaN", b"[Infinity, -Infinity]", b"1E400", b'{"t": 1.7976931348623157e309}',  # orjson refuses these
    b'"\\ud800"', b"\xef\xbb\xbf{}", '{"lat": 1}'.encode("utf-16"),  # lone surrogate, BOM, UTF-16
    b'{"seq": 18446744073709551616}', b'{"seq": -9223372036854775809}',  # orjson would make these floats
    b"123456789012345678901234567890", b'{"a": 1, "a": 2}', b"-0", b"-0.0", b"1e-400", b' {"v": 1} ',
    b'{"t": 1718000000000, "lat": 51.9234567890123, "lon": 4.48, "seq": 9223372036854775807}',
    b"[" * 700 + b"]" * 700,  # deeper than the bracket limit: the standard library decides
]


def _outcome(parse, payload):
    try:
        value = parse(payload)
    except Reject as reject:
        return ("reject", reject.reason)
    except (ValueError, RecursionError):
        return ("reject", DropReason.MALFORMED_JSON)
    return ("ok", json.dumps(value), repr(value))  # repr tells 1 from 1.0 and keeps NaN/inf apart


@pytest.mark.parametrize("payload", ODD_PAYLOADS, ids=range(len(ODD_PAYLOADS)))
def test_parse_json_decodes_exactly_like_the_standard_library(payload):
    """Every odd case orjson treats differently still decodes (or fails) as json.loads does."""
    assert _outcome(parse_json, payload) == _outcome(json.loads, payload)


def test_big_integers_stay_integers():
    """An integer beyond 64 bits is an int (orjson alone would give a float), so `integer` accepts it."""
    value = parse_json(b'{"seq": 18446744073709551616}')["seq"]
    assert type(value) is int and value == 2**64


def test_malformed_payloads_are_rejected_as_malformed_json():
    """What neither parser takes is `malformed_json`."""
    for payload in (b"{", b'{"a": }', b'"\xff"', b"", b"[" * 100_000):
        with pytest.raises(Reject) as caught:
            parse_json(payload)
        assert caught.value.reason is DropReason.MALFORMED_JSON


def test_ordinary_payloads_take_the_orjson_path():
    """A driver app's batch is parsed by orjson once, not by the standard library."""
    body = json.dumps({"_type": "batch", "v": 1, "positions": [
        {"t": 1718000000000 + i, "lat": 51.9, "lon": 4.48, "speed": 11.1, "seq": i} for i in range(50)]}).encode()
    with mock.patch.object(common.json, "loads", side_effect=AssertionError("standard library used")):
        doc = parse_json(body)
    assert len(doc["positions"]) == 50 and doc["positions"][3]["t"] == 1718000000003
    assert math.isclose(doc["positions"][0]["speed"], 11.1)
