"""Decoder for OwnTracks JSON, over MQTT and in OwnTracks' HTTP mode.

Topic: ``owntracks/{user}/{device}``; the identity given to the resolver is ``"{user}/{device}"``,
which `gps_ingest.db_seams.DbResolver` maps to the vehicle of the live device login whose username
is the user and whose OwnTracks device is the device: each phone has its own login, so two devices
of one user never land on one vehicle, and a device the login does not name is
``unknown_vehicle``. In HTTP mode (https://owntracks.org/booklet/tech/http/) the server builds the
topic from the request (the payload's ``topic``, else the ``X-Limit-U``/``X-Limit-D`` headers or
``u``/``d`` parameters), after HTTP Basic authenticated the login (`Message.device`), which must be
the vehicle's.

Only ``_type: "location"`` carries a fix. Other types the app sends (``lwt``, ``transition``,
``waypoint``, ``card``, ...), messages on its sub-topics (``.../event``, ``.../info``, ``.../cmd``)
and empty payloads (what the app sends when a friend is deleted) are well-formed but carry no fix:
they are counted as ignored, not dropped. An ``encrypted`` payload is dropped as ``unknown_type``:
Haul holds no OwnTracks key.

Location fields used (https://owntracks.org/booklet/tech/json/): ``lat``, ``lon`` (degrees,
required), ``tst`` (fix time, UTC epoch seconds, required; a JSON number or a string of digits),
``acc`` (metres), ``vel`` (km/h, converted to m/s into ``speed``), ``cog`` (degrees), ``alt``
(metres), ``batt`` (percent). Kept as attributes (`gps_ingest.attributes`): ``t`` as ``trigger``,
``conn`` as ``connection``, ``tid`` as ``tracker_id``, ``bs`` as ``battery_status`` (``unknown``,
``unplugged``, ``charging``, ``full``), ``vac`` as ``vertical_accuracy``, ``p`` as ``pressure``
and ``m`` as ``monitoring``. ``SSID``/``BSSID`` (where the phone is) and ``inregions`` are not
kept. If the payload carries a ``topic``, it must equal the message's topic, else ``topic_mismatch``.
"""

from __future__ import annotations

from typing import Any

from gps_ingest.attributes import NUMBER, bounded, of_type
from gps_ingest.decoders.common import (
    SOURCE_OWNTRACKS,
    Decoded,
    Reject,
    VehicleResolver,
    epoch_time,
    missing,
    number,
    parse_json,
    require_object,
    resolve_vehicle,
    text,
)
from gps_ingest.model import DropReason, Message, Position

TOPIC_PREFIX = "owntracks/"
BATTERY_STATUS = {0: "unknown", 1: "unplugged", 2: "charging", 3: "full"}


class OwnTracksDecoder:
    """Decodes OwnTracks ``location`` messages."""

    name = "owntracks"

    def __init__(self, resolver: VehicleResolver):
        self._resolver = resolver

    def accepts(self, message: Message) -> bool:
        return message.topic.startswith(TOPIC_PREFIX)

    def decode(self, message: Message) -> Decoded:
        parts = message.topic.split("/")
        if len(parts) < 3 or not parts[1] or not parts[2]:
            raise Reject(DropReason.UNKNOWN_TOPIC, "expected owntracks/{user}/{device}")
        if len(parts) > 3 or not message.payload.strip():
            return Decoded(ignored=True)  # event, info, cmd, ... sub-topics; a deleted friend
        doc = require_object(parse_json(message.payload))
        kind = text(doc, "_type", required=True)
        if kind == "encrypted":
            raise Reject(DropReason.UNKNOWN_TYPE, "encrypted payloads cannot be read", "_type")
        if kind != "location":
            return Decoded(ignored=True)
        claimed_topic = text(doc, "topic")
        if claimed_topic is not None and claimed_topic != message.topic:
            raise Reject(DropReason.TOPIC_MISMATCH, f"{claimed_topic!r} is not {message.topic!r}", "topic")
        vehicle_id = resolve_vehicle(self._resolver, message, SOURCE_OWNTRACKS, f"{parts[1]}/{parts[2]}")
        vel = number(doc, "vel")
        position = Position(
            message_id=message.id,
            source=self.name,
            vehicle_id=vehicle_id,
            time=epoch_time(_tst(doc), 1.0, "tst"),
            lat=number(doc, "lat", required=True),  # type: ignore[arg-type]
            lon=number(doc, "lon", required=True),  # type: ignore[arg-type]
            speed=None if vel is None else vel / 3.6,
            heading=number(doc, "cog"),
            accuracy=number(doc, "acc"),
            altitude=number(doc, "alt"),
            battery=number(doc, "batt"),
            attributes=bounded([
                ("trigger", of_type(doc.get("t"), str)),
                ("connection", of_type(doc.get("conn"), str)),
                ("tracker_id", of_type(doc.get("tid"), str)),
                ("battery_status", BATTERY_STATUS.get(of_type(doc.get("bs"), int))),  # type: ignore[arg-type]
                ("vertical_accuracy", of_type(doc.get("vac"), NUMBER)),
                ("pressure", of_type(doc.get("p"), NUMBER)),
                ("monitoring", of_type(doc.get("m"), int)),
            ]),
        )
        return Decoded(positions=[position])


def _tst(doc: Any) -> float:
    """``tst`` in seconds: a JSON number, or text of digits only (OwnTracks may send it quoted)."""
    value = doc.get("tst")
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            raise Reject(DropReason.WRONG_TYPE, "must be a number or a string of digits", "tst")
        return float(value)
    seconds = number(doc, "tst")
    if seconds is None:
        raise missing("tst")
    return seconds
