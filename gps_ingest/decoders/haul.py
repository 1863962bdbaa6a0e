"""Decoder for Haul's own MQTT payloads, schema version 1.

Topic: ``haul/v1/vehicles/{vehicle_id}/position`` (QoS 1). The vehicle comes from the topic
(the broker ACL lets a device publish only to its own vehicle's topic), never from the payload.

A single fix::

    {"_type": "position", "v": 1, "t": 1718000000000, "lat": 51.92, "lon": 4.48,
     "speed": 13.9, "heading": 92.0, "acc": 6.0, "alt": 4.0, "batt": 81, "seq": 1042}

A buffered batch (one message, many fixes, any order)::

    {"_type": "batch", "v": 1, "positions": [{"t": ..., "lat": ..., "lon": ...}, ...]}

Fields (stable; new optional fields may be added within v1, removals need v2):

=========  ========  =========  ====================================================
field      type      required   meaning
=========  ========  =========  ====================================================
_type      string    yes        ``"position"`` or ``"batch"``
v          integer   yes        schema version, ``1``
t          number    yes        fix time, UTC milliseconds since the epoch
lat, lon   number    yes        WGS 84 degrees
speed      number    no         metres per second
heading    number    no         degrees clockwise from true north
acc        number    no         horizontal accuracy, metres
alt        number    no         altitude, metres
batt       number    no         battery level, percent
seq        integer   no         per-device sequence number (diagnostics)
vid        string    no         vehicle id the device believes it is; must equal the topic's
positions  array     batch      the fixes of a batch; elements may repeat ``"_type":
                                "position"`` and ``"v"`` but need not
=========  ========  =========  ====================================================

Unknown fields are ignored. A bad fix inside a batch drops that fix only. Status messages
(``.../status``) are not positions: the worker does not route them to this pipeline.
"""

from __future__ import annotations

import re
from typing import Any

from gps_ingest.decoders.common import (
    SOURCE_HAUL,
    Decoded,
    Reject,
    VehicleResolver,
    epoch_time,
    integer,
    missing,
    number,
    parse_json,
    require_object,
    resolve_vehicle,
    text,
)
from gps_ingest.model import DropReason, Message, Position

TOPIC_PREFIX = "haul/v1/vehicles/"
_TOPIC = re.compile(r"^haul/v1/vehicles/([^/#+]+)/position$")
SCHEMA_VERSION = 1
_NUMBER = (int, float)  # exact types: a JSON true/false (bool) is no number here
_INT_OR_NONE = (int, type(None))
_FLOAT_OR_NONE = (float, type(None))


class HaulDecoder:
    """Decodes ``position`` and ``batch`` messages from Haul driver apps."""

    name = "haul"

    def __init__(self, resolver: VehicleResolver):
        self._resolver = resolver

    def accepts(self, message: Message) -> bool:
        return message.transport == "mqtt" and message.topic.startswith(TOPIC_PREFIX)

    def decode(self, message: Message) -> Decoded:
        match = _TOPIC.match(message.topic)
        if match is None:
            raise Reject(DropReason.UNKNOWN_TOPIC, "not a position topic")
        topic_vehicle = match[1]
        doc = require_object(parse_json(message.payload))
        kind = _envelope(doc)
        claimed = text(doc, "vid")
        if claimed is not None and claimed != topic_vehicle:
            raise Reject(DropReason.TOPIC_MISMATCH, f"{claimed!r} on the topic of {topic_vehicle!r}", "vid")
        vehicle_id = resolve_vehicle(self._resolver, message, SOURCE_HAUL, topic_vehicle)
        if kind == "position":
            items: list[Any] = [doc]
        else:
            items = doc.get("positions")  # type: ignore[assignment]
            if items is None:
                raise missing("positions")
            if not isinstance(items, list):
                raise Reject(DropReason.WRONG_TYPE, "must be an array", "positions")
        out = Decoded(ignored=not items)
        for index, item in enumerate(items):
            try:
                out.positions.append(self._fix(item, message, vehicle_id, topic_vehicle))
            except Reject as reject:
                out.drops.append(reject.within(f"positions/{index}") if kind == "batch" else reject)
        return out

    def _fix(self, item: Any, message: Message, vehicle_id: str, topic_vehicle: str) -> Position:
        item = require_object(item)
        kind = text(item, "_type")
        if kind is not None and kind != "position":
            raise Reject(DropReason.UNKNOWN_TYPE, f"{kind!r} inside a batch", "_type")
        claimed = text(item, "vid")
        if claimed is not None and claimed != topic_vehicle:
            raise Reject(DropReason.TOPIC_MISMATCH, f"{claimed!r} on the topic of {topic_vehicle!r}", "vid")
        get = item.get
        t, lat, lon, seq = get("t"), get("lat"), get("lon"), get("seq")
        speed, heading, acc, alt, batt = get("speed"), get("heading"), get("acc"), get("alt"), get("batt")
        if (type(lat) is float and type(lon) is float and type(t) in _NUMBER and type(seq) in _INT_OR_NONE
                and type(speed) in _FLOAT_OR_NONE and type(heading) in _FLOAT_OR_NONE
                and type(acc) in _FLOAT_OR_NONE and type(alt) in _FLOAT_OR_NONE and type(batt) in _FLOAT_OR_NONE):
            # The driver app's own fixes: every field already has its type, so the per-field
            # parsers below (a call and checks per field) would only say yes. Same result.
            return Position(message.id, self.name, vehicle_id, epoch_time(t, 0.001, "t"), lat, lon, speed,
                            heading, acc, alt, batt, seq)
        t = number(item, "t", required=True)
        return Position(
            message_id=message.id,
            source=self.name,
            vehicle_id=vehicle_id,
            time=epoch_time(t, 0.001, "t"),  # type: ignore[arg-type]
            lat=number(item, "lat", required=True),  # type: ignore[arg-type]
            lon=number(item, "lon", required=True),  # type: ignore[arg-type]
            speed=number(item, "speed"),
            heading=number(item, "heading"),
            accuracy=number(item, "acc"),
            altitude=number(item, "alt"),
            battery=number(item, "batt"),
            seq=integer(item, "seq"),
        )


def _envelope(doc: Any) -> str:
    """Check ``_type`` and ``v`` of a message and return the type."""
    kind = text(doc, "_type", required=True)
    version = doc.get("v")
    if version is None:
        raise missing("v")
    if isinstance(version, bool) or not isinstance(version, int):
        raise Reject(DropReason.WRONG_TYPE, "must be an integer", "v")
    if version != SCHEMA_VERSION:
        raise Reject(DropReason.UNSUPPORTED_VERSION, f"v={version}", "v")
    if kind not in ("position", "batch"):
        raise Reject(DropReason.UNKNOWN_TYPE, repr(kind), "_type")
    return kind
