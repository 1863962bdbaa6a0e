"""GPS fixes, queued positions and their MQTT payloads, plus the small geodesy they need.

Payloads follow the ``haul/v1`` schema: a single position is
``{"_type": "position", "v": 1, "t": epoch_ms, "lat", "lon", "speed", "heading", "acc", "batt", "seq"}``
and a buffered batch is ``{"_type": "batch", "v": 1, "positions": [<position>, ...]}``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

SCHEMA_VERSION = 1
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Fix:
    """One GPS reading. Speed m/s, heading degrees from north, accuracy metres, battery percent."""

    t_ms: int
    lat: float
    lon: float
    speed: float | None = None
    heading: float | None = None
    acc: float | None = None
    batt: float | None = None


@dataclass(frozen=True)
class Position:
    """A fix stored in the outbox, numbered by ``seq`` (increasing, never reused on the device)."""

    seq: int
    fix: Fix

    def to_dict(self) -> dict:
        # NaN/inf from a sensor would make the JSON invalid for strict parsers: send null instead.
        fix = {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in asdict(self.fix).items()
        }
        return {
            "_type": "position",
            "v": SCHEMA_VERSION,
            "t": fix.pop("t_ms"),
            **fix,
            "seq": self.seq,
        }


def encode_positions(positions: Sequence[Position]) -> bytes:
    """One position as a ``position`` payload, several as one ``batch`` payload (compact JSON)."""
    if not positions:
        raise ValueError("no positions to encode")
    if len(positions) == 1:
        body = positions[0].to_dict()
    else:
        body = {"_type": "batch", "v": SCHEMA_VERSION, "positions": [p.to_dict() for p in positions]}
    return json.dumps(body, separators=(",", ":")).encode()


def decode_positions(payload: bytes | str) -> list[dict]:
    """The position dicts in a ``position`` or ``batch`` payload (for tests and tools)."""
    body = json.loads(payload)
    if body.get("_type") == "batch":
        return list(body["positions"])
    if body.get("_type") == "position":
        return [body]
    raise ValueError(f"not a position payload: {body.get('_type')!r}")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from the first point to the second, degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0
