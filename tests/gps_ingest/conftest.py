"""Shared fixtures for the gps_ingest tests: a fake clock, a resolver, fixture files, builders."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import shapely

from gps_ingest.decoders import StaticResolver
from gps_ingest.model import Message, Position
from gps_ingest.zones import Geofence, ZoneIndex

DATA = Path(__file__).resolve().parents[1] / "data" / "gps_ingest"
NOW = datetime(2024, 6, 10, 8, 0, tzinfo=UTC)  # epoch 1718006400


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data():
    """Read a fixture file from tests/data/gps_ingest as bytes."""
    return lambda name: (DATA / name).read_bytes()


@pytest.fixture
def resolver() -> StaticResolver:
    return StaticResolver(
        {
            ("haul", "truck-1"): "truck-1",
            ("haul", "truck-2"): "truck-2",
            ("owntracks", "jan/truck7"): "truck-7",
            ("owntracks", "jan/van3"): "truck-3",
            ("device", "dev-1"): "truck-1",
            ("device", "dev-2"): "truck-2",
            ("device", "dev-8"): "truck-8",
            ("device", "jan"): "truck-7",
        }
    )


@pytest.fixture
def geofences() -> list[Geofence]:
    sites = json.loads((DATA / "sites.json").read_text())
    return [Geofence(s["site_id"], s["kind"], shapely.Polygon(s["polygon"])) for s in sites]


@pytest.fixture
def zone_index(geofences) -> ZoneIndex:
    return ZoneIndex(geofences)


@pytest.fixture
def make_fix():
    """Build a Position ``seconds`` after NOW (negative: before)."""

    def build(vehicle_id="truck-1", seconds=0.0, lat=51.92, lon=4.48, message_id="m1", **fields) -> Position:
        return Position(
            message_id=message_id,
            source="haul",
            vehicle_id=vehicle_id,
            time=NOW + timedelta(seconds=seconds),
            lat=lat,
            lon=lon,
            **fields,
        )

    return build


@pytest.fixture
def haul_message():
    """Build an MQTT message on a Haul position topic from a dict (or raw bytes)."""

    def build(payload, vehicle="truck-1", message_id="m1", device=None) -> Message:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return Message(message_id, "mqtt", f"haul/v1/vehicles/{vehicle}/position", body, device=device)

    return build


@pytest.fixture
def haul_fix():
    """A Haul v1 position payload ``seconds`` after NOW."""

    def build(seconds=0.0, lat=51.92, lon=4.48, **extra) -> dict:
        t = int((NOW + timedelta(seconds=seconds)).timestamp() * 1000)
        return {"_type": "position", "v": 1, "t": t, "lat": lat, "lon": lon, **extra}

    return build
