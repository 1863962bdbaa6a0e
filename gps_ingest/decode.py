"""The decode step: the pipeline's entry, from one `Message` to a list of positions.

It drops ``oversized`` messages (payload plus query string above ``max_payload_bytes``) before
parsing, routes the message to the first decoder that accepts it (``unknown_topic`` if none),
and counts every drop the decoder reports. The runner fans the returned positions out.
With a `gps_ingest.device_brake.DeviceBrake`, it first tells the brake who sent the message, so
the garbage drops of this and every later step are charged to that device.
"""

from __future__ import annotations

from collections.abc import Sequence

from gps_ingest.decoders.common import Decoder, Reject
from gps_ingest.device_brake import DeviceBrake
from gps_ingest.metrics import Metrics
from gps_ingest.model import DropReason, Message, Position
from gps_ingest.settings import IngestSettings


class DecodeStep:
    """Message -> list of positions, routed to the first decoder that accepts the message."""

    def __init__(self, decoders: Sequence[Decoder], settings: IngestSettings, metrics: Metrics,
                 brake: DeviceBrake | None = None):
        self._decoders = list(decoders)
        self._brake = brake
        self._max_bytes = settings.max_payload_bytes
        self._metrics = metrics

    def __call__(self, message: Message) -> list[Position]:
        if self._brake is not None:
            self._brake.note(message)
        size = len(message.payload) + len(message.query)
        if size > self._max_bytes:
            self._metrics.drop(DropReason.OVERSIZED, message, f"{size} bytes")
            return []
        decoder = next((d for d in self._decoders if d.accepts(message)), None)
        if decoder is None:
            self._metrics.drop(DropReason.UNKNOWN_TOPIC, message, f"transport={message.transport}")
            return []
        try:
            decoded = decoder.decode(message)
        except Reject as reject:
            self._metrics.drop(reject.reason, message, reject.detail, reject.path)
            return []
        for reject in decoded.drops:
            self._metrics.drop(reject.reason, message, reject.detail, reject.path)
        if decoded.ignored:
            self._metrics.add("ignored")
        return decoded.positions
