"""Decoder for the OsmAnd HTTP protocol, as sent by Traccar Client and OsmAnd.

Every request is authenticated by the server before it gets here (`server.tracking.http_auth`:
HTTP Basic with the device secret, or an ``id`` that is itself the device's secret HTTP id), and
carries that login as `Message.device`; the vehicle is the login's (`device_vehicle`). The ``id``
in the request is never looked up here.

Two variants arrive at the same endpoint (https://www.traccar.org/osmand/):

* **Parameters** in the query string, or, when the query string is empty, in a form body:
  ``lat`` + ``lon`` or ``location=lat,lon`` (required), ``timestamp`` (epoch seconds, epoch
  milliseconds when above 2**31, ISO 8601, or ``YYYY-MM-DD HH:MM:SS`` in UTC), ``speed`` (knots,
  converted to m/s), ``bearing`` or ``heading`` (degrees), ``altitude`` (m), ``accuracy`` (m),
  ``batt`` (percent) and ``valid`` (``false``/``0`` drops the fix as ``invalid_fix``). A repeated
  parameter keeps its last value. Every other parameter is kept as an attribute under its own
  name, as Traccar does (``hdop``, ``sat``, ``driverUniqueId``, a tracker's ``fuel``...; a
  ``true``/``false`` or a number as such, else the text), except ``charge``, which becomes
  ``charging``; `gps_ingest.attributes` bounds them.
* **JSON** (Traccar Client 9+), when the content type says JSON or the body starts with ``{``::

      {"location": {"timestamp": "2024-06-10T08:00:00.000Z",
                    "coords": {"latitude": .., "longitude": .., "accuracy": .., "speed": ..,
                               "heading": .., "altitude": .., "altitude_accuracy": ..},
                    "is_moving": true, "odometer": 1200, "event": "motionchange",
                    "activity": {"type": "in_vehicle"},
                    "battery": {"level": 0.81, "is_charging": false}},
       "device_id": "48241179"}

  ``speed`` is m/s; ``battery.level`` is 0..1 (converted to percent); the SDK's ``-1`` for an
  unknown speed or heading becomes "unknown" in the validate step. ``location`` may also be
  an array (the SDK's batch sync); a bad element drops that fix only. Attributes: ``motion``
  (``is_moving``), ``odometer``, ``event``, ``activity`` (``activity.type``), ``charging``
  (``battery.is_charging``), ``vertical_accuracy`` (``coords.altitude_accuracy``).

A fix without a timestamp gets the time the server received it, as Traccar does, and the
attribute ``time_source: "received"``. Such a fix is not idempotent: the same request retried
later is a second fix at a later time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from gps_ingest.attributes import NUMBER, bounded, of_type, parameter_value
from gps_ingest.decoders.common import (
    Decoded,
    Reject,
    VehicleResolver,
    device_vehicle,
    epoch_time,
    iso_time,
    missing,
    number,
    parse_json,
    received_now,
    require_object,
    to_float,
)
from gps_ingest.model import DropReason, Message, Position, utc_now

KNOT_MPS = 1852.0 / 3600.0
_MS_THRESHOLD = 2**31  # Traccar's rule: larger epoch values are milliseconds
# Parameters that fill columns (or name the device); every other one is kept as an attribute.
_FIELDS = frozenset({"id", "deviceid", "valid", "lat", "lon", "location", "timestamp", "speed", "bearing",
                     "heading", "altitude", "accuracy", "batt", "charge"})
RECEIVED = ("time_source", "received")


class OsmAndDecoder:
    """Decodes OsmAnd requests (parameter and JSON variants)."""

    name = "osmand"

    def __init__(self, resolver: VehicleResolver, clock: Callable[[], datetime] = utc_now):
        self._resolver = resolver
        self._clock = clock

    def accepts(self, message: Message) -> bool:
        return message.transport == "http" and not message.topic

    def decode(self, message: Message) -> Decoded:
        vehicle_id = device_vehicle(self._resolver, message)
        if is_json(message.content_type, message.payload):
            return self._decode_json(message, vehicle_id)
        return Decoded(positions=[self._decode_params(message, vehicle_id)])

    def _decode_params(self, message: Message, vehicle_id: str) -> Position:
        params = request_params(message.query, message.payload)
        if params.get("valid", "true").strip().lower() in ("false", "0"):
            raise Reject(DropReason.INVALID_FIX, "valid=false", "valid")
        if "lat" in params and "lon" in params:
            lat, lon = to_float(params["lat"], "lat"), to_float(params["lon"], "lon")
        elif "location" in params:
            parts = params["location"].split(",")
            if len(parts) != 2:
                raise Reject(DropReason.WRONG_TYPE, "must be lat,lon", "location")
            lat, lon = to_float(parts[0], "location"), to_float(parts[1], "location")
        else:
            raise missing("lon" if "lat" in params else "lat")
        stamp = params.get("timestamp", "").strip()

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
            time=_param_time(stamp) if stamp else received_now(self._clock),
            lat=lat,
            lon=lon,
            speed=None if speed_kn is None else speed_kn * KNOT_MPS,
            heading=optional("bearing", "heading"),
            accuracy=optional("accuracy"),
            altitude=optional("altitude"),
            battery=optional("batt"),
            attributes=bounded(_param_attributes(params, received=not stamp)),
        )

    def _decode_json(self, message: Message, vehicle_id: str) -> Decoded:
        doc = require_object(parse_json(message.payload))
        location = doc.get("location")
        if location is None:
            raise missing("location")
        items = ([(f"location/{index}", item) for index, item in enumerate(location)]
                 if isinstance(location, list) else [("location", location)])
        out = Decoded(ignored=not items)
        for where, item in items:
            try:
                out.positions.append(self._json_fix(item, message, vehicle_id))
            except Reject as reject:
                out.drops.append(reject.within(where))
        return out

    def _json_fix(self, item: Any, message: Message, vehicle_id: str) -> Position:
        loc = require_object(item)
        coords = loc.get("coords")
        if coords is None:
            raise missing("coords")
        try:
            coords = require_object(coords)
            lat, lon = number(coords, "latitude", required=True), number(coords, "longitude", required=True)
            speed, heading = number(coords, "speed"), number(coords, "heading")
            accuracy, altitude = number(coords, "accuracy"), number(coords, "altitude")
        except Reject as reject:
            raise reject.within("coords") from None
        battery = loc.get("battery")
        try:
            battery = require_object(battery) if battery is not None else {}
            level = number(battery, "level")
        except Reject as reject:
            raise reject.within("battery") from None
        stamp = loc.get("timestamp")
        activity = loc.get("activity")
        return Position(
            message_id=message.id,
            source=self.name,
            vehicle_id=vehicle_id,
            time=received_now(self._clock) if stamp is None else _json_time(stamp),
            lat=lat,  # type: ignore[arg-type]
            lon=lon,  # type: ignore[arg-type]
            speed=speed,
            heading=heading,
            accuracy=accuracy,
            altitude=altitude,
            battery=None if level is None or level < 0 else level * 100.0,
            attributes=bounded([
                RECEIVED if stamp is None else ("time_source", None),
                ("motion", of_type(loc.get("is_moving"), bool)),
                ("odometer", of_type(loc.get("odometer"), NUMBER)),
                ("event", of_type(loc.get("event"), str)),
                ("activity", of_type(activity.get("type"), str) if isinstance(activity, dict) else None),
                ("charging", of_type(battery.get("is_charging"), bool)),
                ("vertical_accuracy", of_type(coords.get("altitude_accuracy"), NUMBER)),
            ]),
        )


def is_json(content_type: str, body: bytes) -> bool:
    """Whether a request is the JSON variant (by its content type, or a body that opens an object)."""
    return "json" in content_type.lower() or body.lstrip().startswith(b"{")


def request_params(query: str, body: bytes) -> dict[str, str]:
    """The parameters of a parameter-variant request: the query string's, else the form body's."""
    return _params(query) or _params(body.decode("utf-8", errors="replace"))


def claimed_device_id(query: str, body: bytes, content_type: str) -> str | None:
    """The device id a request names (``id``, ``deviceid`` or JSON ``device_id``), if it names one.

    The server authenticates with it (it is the device's secret HTTP id), before decoding.
    """
    if is_json(content_type, body):
        try:
            doc = parse_json(body)
        except Reject:
            return None
        device = doc.get("device_id") if isinstance(doc, dict) else None
        if isinstance(device, int) and not isinstance(device, bool):
            device = str(device)
        return device if isinstance(device, str) and device else None
    params = request_params(query, body)
    return params.get("id") or params.get("deviceid") or None


def _param_attributes(params: dict[str, str], received: bool) -> Iterator[tuple[str, Any]]:
    if received:
        yield RECEIVED
    if params.get("charge"):
        yield "charging", parameter_value(params["charge"])
    for key, value in params.items():
        if key not in _FIELDS and value:
            yield key, parameter_value(value)


def _params(query: str) -> dict[str, str]:
    """Query or form parameters, last value wins."""
    return {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}


def _epoch(value: float, key: str) -> datetime:
    return epoch_time(value, 0.001 if abs(value) >= _MS_THRESHOLD else 1.0, key)


def _param_time(value: str) -> datetime:
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
        raise Reject(DropReason.WRONG_TYPE, "must be epoch seconds or milliseconds, ISO 8601 or "
                     "YYYY-MM-DD HH:MM:SS", "timestamp") from None


def _json_time(value: Any) -> datetime:
    if isinstance(value, str):
        return iso_time(value, "timestamp")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(to_float(value, "timestamp"), "timestamp")
    raise Reject(DropReason.WRONG_TYPE, "must be a string or number", "timestamp")
