"""Decoder for OwnTracks JSON over MQTT.

Topic: ``owntracks/{user}/{device}``; the identity given to the resolver is ``"{user}/{device}"``.
Only ``_type: "location"`` carries a fix. Other types the OwnTracks app sends on that topic
(``lwt``, ``transition``, ``waypoint``, ``card``, ...) and messages on its sub-topics
(``.../event``, ``.../info``, ``.../cmd``) are well-formed but carry no fix: they are counted
as ignored, not dropped.

Location fields used (https://owntracks.org/booklet/tech/json/): ``lat``, ``lon`` (degrees,
required), ``tst`` (fix time, UTC epoch seconds, required), ``acc`` (metres), ``vel`` (km/h,
converted to m/s), ``cog`` (degrees), ``alt`` (metres), ``batt`` (percent). ``tid`` is a display
label and not an identity. If the payload carries a ``topic`` (HTTP mode and some MQTT
setups do), it must equal the topic the message came on, else ``topic_mismatch``.
"""

from __future__ import annotations

from gps_ingest.decoders.common import (
    SOURCE_OWNTRACKS,
    Decoded,
    Reject,
    VehicleResolver,
    epoch_time,
    number,
    parse_json,
    require_object,
    resolve_vehicle,
    text,
)
from gps_ingest.model import DropReason, Message, Position

TOPIC_PREFIX = "owntracks/"


class OwnTracksDecoder:
    """Decodes OwnTracks ``location`` messages."""

    name = "owntracks"

    def __init__(self, resolver: VehicleResolver):
        self._resolver = resolver

    def accepts(self, message: Message) -> bool:
        return message.transport == "mqtt" and message.topic.startswith(TOPIC_PREFIX)

    def decode(self, message: Message) -> Decoded:
        parts = message.topic.split("/")
        if len(parts) < 3 or not parts[1] or not parts[2]:
            raise Reject(DropReason.UNKNOWN_TOPIC, "expected owntracks/{user}/{device}")
        if len(parts) > 3:
            return Decoded(ignored=True)  # event, info, cmd, ... sub-topics
        doc = require_object(parse_json(message.payload), "payload")
        if text(doc, "_type", required=True) != "location":
            return Decoded(ignored=True)
        claimed_topic = text(doc, "topic")
        if claimed_topic is not None and claimed_topic != message.topic:
            raise Reject(DropReason.TOPIC_MISMATCH, f"payload topic {claimed_topic!r}")
        vehicle_id = resolve_vehicle(self._resolver, message, SOURCE_OWNTRACKS, f"{parts[1]}/{parts[2]}")
        tst = number(doc, "tst", required=True)
        vel = number(doc, "vel")
        position = Position(
            message_id=message.id,
            source=self.name,
            vehicle_id=vehicle_id,
            time=epoch_time(tst, 1.0, "tst"),  # type: ignore[arg-type]
            lat=number(doc, "lat", required=True),  # type: ignore[arg-type]
            lon=number(doc, "lon", required=True),  # type: ignore[arg-type]
            speed=None if vel is None else vel / 3.6,
            heading=number(doc, "cog"),
            accuracy=number(doc, "acc"),
            altitude=number(doc, "alt"),
            battery=number(doc, "batt"),
        )
        return Decoded(positions=[position])
