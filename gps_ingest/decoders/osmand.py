"""Decoder for the OsmAnd HTTP protocol, as sent by Traccar Client and OsmAnd.

Two variants arrive at the same endpoint (https://www.traccar.org/osmand/):

* **Parameters** in the query string, or, when the query string is empty, in a form body:
  ``id`` (or ``deviceid``, required), ``lat`` + ``lon`` or ``location=lat,lon`` (required),
  ``timestamp`` (required: epoch seconds, epoch milliseconds when above 2**31, ISO 8601, or
  ``YYYY-MM-DD HH:MM:SS`` in UTC), ``speed`` (knots, converted to m/s), ``bearing`` or
  ``heading`` (degrees), ``altitude`` (m), ``accuracy`` (m), ``batt`` (percent) and ``valid``
  (``false``/``0`` drops the fix as ``invalid_fix``). A repeated parameter keeps its last value.
* **JSON** (Traccar Client 9+), when the content type says JSON or the body starts with ``{``::

      {"location": {"timestamp": "2024-06-10T08:00:00.000Z",
                    "coords": {"latitude": .., "longitude": .., "accuracy": .., "speed": ..,
                               "heading": .., "altitude": ..},
                    "battery": {"level": 0.81, "is_charging": false}},
       "device_id": "48241179"}

  ``speed`` is m/s; ``battery.level`` is 0..1 (converted to percent); the SDK's ``-1`` for an
  unknown speed or heading becomes "unknown" in the validate step. ``location`` may also be
  an array (the SDK's batch sync); a bad element drops that fix only.

Unlike Traccar we require a timestamp: stamping the arrival time would make a retried request
a second, different fix, which breaks idempotent storage.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from gps_ingest.decoders.common import (
    SOURCE_OSMAND,
    Decoded,
    Reject,
    VehicleResolver,
    epoch_time,
    iso_time,
    number,
    parse_json,
    require_object,
    resolve_vehicle,
    to_float,
)
from gps_ingest.model import DropReason, Message, Position

KNOT_MPS = 1852.0 / 3600.0
_MS_THRESHOLD = 2**31  # Traccar's rule: larger epoch values are milliseconds


class OsmAndDecoder:
    """Decodes OsmAnd requests (parameter and JSON variants)."""

    name = "osmand"

    def __init__(self, resolver: VehicleResolver):
        self._resolver = resolver

    def accepts(self, message: Message) -> bool:
        return message.transport == "http"

    def decode(self, message: Message) -> Decoded:
        if "json" in message.content_type.lower() or message.payload.lstrip().startswith(b"{"):
            return self._decode_json(message)
        return Decoded(positions=[self._decode_params(message)])

    def _decode_params(self, message: Message) -> Position:
        params = _params(message.query) or _params(message.payload.decode("utf-8", errors="replace"))
        device = params.get("id") or params.get("deviceid")
        if not device:
            raise Reject(DropReason.MISSING_FIELD, "id")
        vehicle_id = resolve_vehicle(self._resolver, message, SOURCE_OSMAND, device)
        if params.get("valid", "true").strip().lower() in ("false", "0"):
            raise Reject(DropReason.INVALID_FIX, "valid=false")
        if "lat" in params and "lon" in params:
            lat, lon = to_float(params["lat"], "lat"), to_float(params["lon"], "lon")
        elif "location" in params:
            parts = params["location"].split(",")
            if len(parts) != 2:
                raise Reject(DropReason.WRONG_TYPE, "location must be lat,lon")
            lat, lon = to_float(parts[0], "location"), to_float(parts[1], "location")
        else:
            raise Reject(DropReason.MISSING_FIELD, "lat/lon")
        if "timestamp" not in params:
            raise Reject(DropReason.MISSING_FIELD, "timestamp")

        def optional(*keys: str) -> float | None:
            for key in keys:
                if params.get(key):
                    return to_float(params[key], key)
            return None

        speed_kn = optional("speed")
        return Position(
            message_id=message.id,
            source=self.name,
            vehicle_id=vehicle_id,
            time=_param_time(params["timestamp"]),
            lat=lat,
            lon=lon,
            speed=None if speed_kn is None else speed_kn * KNOT_MPS,
            heading=optional("bearing", "heading"),
            accuracy=optional("accuracy"),
            altitude=optional("altitude"),
            battery=optional("batt"),
        )

    def _decode_json(self, message: Message) -> Decoded:
        doc = require_object(parse_json(message.payload), "payload")
        device = doc.get("device_id")
        if device is None:
            raise Reject(DropReason.MISSING_FIELD, "device_id")
        if isinstance(device, int) and not isinstance(device, bool):
            device = str(device)
        if not isinstance(device, str):
            raise Reject(DropReason.WRONG_TYPE, "device_id must be a string")
        vehicle_id = resolve_vehicle(self._resolver, message, SOURCE_OSMAND, device)
        location = doc.get("location")
        if location is None:
            raise Reject(DropReason.MISSING_FIELD, "location")
        items = location if isinstance(location, list) else [location]
        out = Decoded(ignored=not items)
        for index, item in enumerate(items):
            try:
                out.positions.append(self._json_fix(item, message, vehicle_id))
            except Reject as reject:
                out.drops.append((reject.reason, f"location/{index}: {reject.detail}"))
        return out

    def _json_fix(self, item: Any, message: Message, vehicle_id: str) -> Position:
        loc = require_object(item, "location")
        coords = loc.get("coords")
        if coords is None:
            raise Reject(DropReason.MISSING_FIELD, "coords")
        coords = require_object(coords, "coords")
        battery = loc.get("battery")
        level = number(require_object(battery, "battery"), "level") if battery is not None else None
        return Position(
            message_id=message.id,
            source=self.name,
            vehicle_id=vehicle_id,
            time=_json_time(loc.get("timestamp")),
            lat=number(coords, "latitude", required=True),  # type: ignore[arg-type]
            lon=number(coords, "longitude", required=True),  # type: ignore[arg-type]
            speed=number(coords, "speed"),
            heading=number(coords, "heading"),
            accuracy=number(coords, "accuracy"),
            altitude=number(coords, "altitude"),
            battery=None if level is None or level < 0 else level * 100.0,
        )


def _params(query: str) -> dict[str, str]:
    """Query or form parameters, last value wins."""
    return {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}


def _epoch(value: float, key: str) -> datetime:
    return epoch_time(value, 0.001 if abs(value) >= _MS_THRESHOLD else 1.0, key)


def _param_time(value: str) -> datetime:
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return _epoch(seconds, "timestamp")
    if "T" in value:
        return iso_time(value, "timestamp")
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise Reject(DropReason.WRONG_TYPE, "timestamp format") from None


def _json_time(value: Any) -> datetime:
    if value is None:
        raise Reject(DropReason.MISSING_FIELD, "timestamp")
    if isinstance(value, str):
        return iso_time(value, "timestamp")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(to_float(value, "timestamp"), "timestamp")
    raise Reject(DropReason.WRONG_TYPE, "timestamp must be a string or number")
