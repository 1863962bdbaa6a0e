"""Tests for gps_ingest.settings: defaults, validation and the environment."""

from __future__ import annotations

import pytest

from gps_ingest.settings import IngestSettings, SettingsError


def test_defaults_match_the_design():
    """256 KiB payloads, 5-minute future tolerance and 250 km/h are the defaults."""
    s = IngestSettings()
    assert (s.max_payload_bytes, s.future_tolerance_s, s.max_speed_kmh) == (262144, 300.0, 250.0)


def test_from_env_reads_prefixed_variables():
    """HAUL_GPS_* variables override defaults with the field's type."""
    s = IngestSettings.from_env(
        {
            "HAUL_GPS_MAX_ACCURACY_M": "80",
            "HAUL_GPS_ACK_IN_ORDER": "no",
            "HAUL_GPS_STORE_BATCH_SIZE": "50",
            "OTHER": "x",
        }
    )
    assert (s.max_accuracy_m, s.ack_in_order, s.store_batch_size) == (80.0, False, 50)


def test_bad_values_list_each_field():
    """Unparsable and out-of-range values raise SettingsError naming each field."""
    with pytest.raises(SettingsError) as caught:
        IngestSettings.from_env({"HAUL_GPS_MAX_SPEED_KMH": "fast", "HAUL_GPS_ACK_IN_ORDER": "maybe"})
    assert [f for f, _ in caught.value.errors] == ["max_speed_kmh", "ack_in_order"]
    with pytest.raises(SettingsError) as caught:
        IngestSettings(max_speed_kmh=0, reorder_hold_s=-1)
    assert [f for f, _ in caught.value.errors] == ["max_speed_kmh", "reorder_hold_s"]
