"""Decoders from wire formats (Haul JSON, OwnTracks, OsmAnd) to `Position` lists."""

from gps_ingest.decoders.common import (
    SOURCE_DEVICE,
    SOURCE_HAUL,
    SOURCE_OWNTRACKS,
    Decoded,
    Decoder,
    Reject,
    StaticResolver,
    VehicleResolver,
)
from gps_ingest.decoders.haul import HaulDecoder
from gps_ingest.decoders.osmand import OsmAndDecoder
from gps_ingest.decoders.owntracks import OwnTracksDecoder
from gps_ingest.model import Clock, utc_now


def default_decoders(resolver: VehicleResolver, clock: Clock = utc_now) -> list[Decoder]:
    """All decoders Haul speaks, in routing order (``clock`` stamps fixes that came without a time)."""
    return [HaulDecoder(resolver), OwnTracksDecoder(resolver), OsmAndDecoder(resolver, clock)]


__all__ = [
    "SOURCE_DEVICE",
    "SOURCE_HAUL",
    "SOURCE_OWNTRACKS",
    "Decoded",
    "Decoder",
    "HaulDecoder",
    "OsmAndDecoder",
    "OwnTracksDecoder",
    "Reject",
    "StaticResolver",
    "VehicleResolver",
    "default_decoders",
]
