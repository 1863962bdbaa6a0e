"""gps_ingest.attributes: a fix's extra attributes stay flat, small and storable whatever a device sends."""

from __future__ import annotations

import orjson

from gps_ingest.attributes import MAX_BYTES, MAX_KEYS, MAX_TEXT, bounded, of_type, parameter_value


def test_scalars_are_kept_in_order_and_nothing_is_none():
    """Booleans, numbers and text are kept under valid names; None values and an empty result give None."""
    assert bounded([("hdop", 1.2), ("charging", True), ("trigger", "u"), ("sat", 9), ("gone", None)]) == {
        "hdop": 1.2, "charging": True, "trigger": "u", "sat": 9}
    assert bounded([("x", None)]) is None and bounded([]) is None


def test_bad_names_nested_values_and_unstorable_numbers_are_left_out():
    """Names must be short identifiers; lists, objects, NaN, infinities and huge integers are left out."""
    kept = bounded([("1st", 1), ("has space", 1), ("a" * 33, 1), ("list", [1]), ("obj", {"a": 1}),
                    ("nan", float("nan")), ("inf", float("inf")), ("huge", 2**70), ("ok_1", 2)])
    assert kept == {"ok_1": 2}


def test_text_is_cut_and_text_postgresql_refuses_is_left_out():
    """Text is cut to MAX_TEXT characters; NUL characters and lone surrogates (which jsonb refuses) are left out."""
    kept = bounded([("long", "x" * 500), ("nul", "a\x00b"), ("surrogate", "\ud800"), ("umlaut", "Grüße")])
    assert kept == {"long": "x" * MAX_TEXT, "umlaut": "Grüße"}


def test_limits_hold_for_many_and_large_values():
    """At most MAX_KEYS keys and MAX_BYTES of JSON, however many and however large the values offered."""
    many = bounded((f"k{i}", i) for i in range(100))
    assert len(many) == MAX_KEYS and list(many) == [f"k{i}" for i in range(MAX_KEYS)]
    large = bounded((f"key_{i:027d}", "\u00e9" * MAX_TEXT) for i in range(100))
    assert 0 < len(large) < MAX_KEYS and len(orjson.dumps(large)) <= MAX_BYTES
    quotes = bounded((f"q{i}", '"' * MAX_TEXT) for i in range(100))
    assert len(orjson.dumps(quotes)) <= MAX_BYTES


def test_parameter_values_and_types():
    """OsmAnd parameter text becomes a boolean or a finite number when it is one; of_type refuses bools as numbers."""
    assert [parameter_value(v) for v in ("true", "FALSE", "63.5", "9", "nan", "D-42")] == [
        True, False, 63.5, 9.0, "nan", "D-42"]
    assert of_type(True, (int, float)) is None and of_type(True, bool) is True and of_type("1", int) is None
