"""Decoders from wire formats (Haul JSON, OwnTracks, OsmAnd) to `Position` lists."""

from gps_ingest.decoders.common import (
    SOURCE_DEVICE,
    SOURCE_HAUL,
    SOURCE_OSMAND,
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


def default_decoders(resolver: VehicleResolver) -> list[Decoder]:
    """All decoders Haul speaks, in routing order."""
    return [HaulDecoder(resolver), OwnTracksDecoder(resolver), OsmAndDecoder(resolver)]


__all__ = [
    "SOURCE_DEVICE",
    "SOURCE_HAUL",
    "SOURCE_OSMAND",
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
