"""In-memory geofence lookup: which site zones contain a point.

`ZoneIndex` is built once from the sites' geofences (site id, kind, polygon in lon/lat order)
into a Shapely STRtree over prepared geometries, so a lookup costs a bounding-box query plus
a prepared point-in-polygon test per candidate, with no database round trip per fix.
`ZoneIndex.refresh` rebuilds the index from new geofences and swaps it in with one assignment,
so lookups running in another thread see either the old or the new index, never half of one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from gps_ingest.model import ZoneTag

ZONE_KINDS = ("pickup", "delivery", "yard")


class GeofenceError(ValueError):
    """Invalid geofences; ``errors`` lists (field_path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in errors))


@dataclass(frozen=True)
class Geofence:
    """The zone of one site: ``polygon`` in (lon, lat) coordinates, a Polygon or MultiPolygon."""

    site_id: str
    kind: str
    polygon: BaseGeometry


@dataclass(frozen=True)
class _Snapshot:
    tree: shapely.STRtree
    fences: tuple[Geofence, ...]
    centres: dict[str, tuple[float, float]]  # site id -> (lat, lon) of a point inside its zone


class ZoneIndex:
    """Point-in-zone lookups over a set of geofences; refreshable."""

    def __init__(self, geofences: Iterable[Geofence] = ()):
        self._snapshot = _build(geofences)

    def refresh(self, geofences: Iterable[Geofence]) -> None:
        """Replace all geofences; raises `GeofenceError` and keeps the old ones if any is bad."""
        self._snapshot = _build(geofences)

    def __len__(self) -> int:
        return len(self._snapshot.fences)

    def tags_at(self, lat: float, lon: float) -> tuple[ZoneTag, ...]:
        """The zones containing (lat, lon), sorted by site id then kind."""
        snap = self._snapshot
        if not snap.fences:
            return ()
        point = shapely.Point(lon, lat)
        hits = []
        for index in snap.tree.query(point):
            fence = snap.fences[int(index)]
            if fence.polygon.intersects(point):  # prepared, so this is a fast point-in-polygon
                hits.append(ZoneTag(fence.site_id, fence.kind))
        return tuple(sorted(set(hits), key=lambda tag: (tag.site_id, tag.kind)))

    def centre(self, site_id: str) -> tuple[float, float] | None:
        """A (lat, lon) inside the zone of ``site_id``, for straight-line ETAs; None if unknown."""
        return self._snapshot.centres.get(site_id)


def _build(geofences: Iterable[Geofence]) -> _Snapshot:
    fences = tuple(geofences)
    errors = []
    for i, fence in enumerate(fences):
        if not isinstance(fence.site_id, str) or not fence.site_id:
            errors.append((f"geofences/{i}/site_id", "must be a non-empty string"))
        if fence.kind not in ZONE_KINDS:
            errors.append((f"geofences/{i}/kind", f"must be one of {', '.join(ZONE_KINDS)}"))
        geom = fence.polygon
        if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
            errors.append((f"geofences/{i}/polygon", "must be a Polygon or MultiPolygon"))
        elif geom.is_empty or not geom.is_valid:
            errors.append((f"geofences/{i}/polygon", "must be a non-empty valid polygon"))
        else:
            minx, miny, maxx, maxy = geom.bounds
            if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
                errors.append((f"geofences/{i}/polygon", "coordinates must be (lon, lat) degrees"))
    if errors:
        raise GeofenceError(errors)
    for fence in fences:
        shapely.prepare(fence.polygon)  # in place; idempotent on already-prepared geometries
    centres = {}
    for fence in fences:
        inside = fence.polygon.representative_point()  # unlike the centroid, always inside
        centres.setdefault(fence.site_id, (inside.y, inside.x))
    return _Snapshot(shapely.STRtree([f.polygon for f in fences]), fences, centres)
