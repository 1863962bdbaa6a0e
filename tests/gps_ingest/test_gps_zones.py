"""Tests for gps_ingest.zones: point-in-zone lookups over prepared geofences."""

from __future__ import annotations

import pytest
import shapely

from gps_ingest.model import ZoneTag
from gps_ingest.zones import Geofence, GeofenceError, ZoneIndex


def test_point_in_nested_zones_gets_both_tags(zone_index):
    """A point in the plant, which lies inside the yard, is tagged with both, sorted."""
    assert zone_index.tags_at(51.9, 4.4) == (ZoneTag("plant-rtm", "pickup"), ZoneTag("yard-rtm", "yard"))


def test_point_in_outer_zone_only(zone_index):
    """A point in the yard but outside the plant is tagged with the yard only."""
    assert zone_index.tags_at(51.908, 4.4) == (ZoneTag("yard-rtm", "yard"),)


def test_point_outside_every_zone_and_inside_the_bounding_box(zone_index):
    """A point between the sites gets no tags, even though it is inside the tree's overall extent."""
    assert zone_index.tags_at(51.85, 4.55) == ()
    assert ZoneIndex().tags_at(51.9, 4.4) == ()


def test_non_rectangular_zone_uses_the_real_shape(geofences):
    """A point in a triangle's bounding box but outside the triangle is not tagged."""
    triangle = Geofence("tri", "delivery", shapely.Polygon([(0, 10), (1, 10), (0, 11)]))
    index = ZoneIndex([triangle])
    assert index.tags_at(10.1, 0.1) == (ZoneTag("tri", "delivery"),)
    assert index.tags_at(10.9, 0.9) == ()


def test_refresh_replaces_the_zones(zone_index, geofences):
    """After refresh, lookups see only the new geofences."""
    zone_index.refresh([g for g in geofences if g.kind == "delivery"])
    assert zone_index.tags_at(51.9, 4.4) == ()
    assert zone_index.tags_at(51.8, 4.67) == (ZoneTag("buyer-dordt", "delivery"),)
    assert len(zone_index) == 1


def test_invalid_geofences_raise_with_paths_and_keep_the_old_index(zone_index):
    """Bad kinds and geometries raise GeofenceError listing each problem; the index is unchanged."""
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    bad = [
        Geofence("a", "warehouse", shapely.Polygon([(0, 0), (1, 0), (1, 1)])),
        Geofence("b", "pickup", bowtie),
        Geofence("c", "yard", shapely.Point(0, 0)),
        Geofence("", "yard", shapely.Polygon([(0, 0), (500, 0), (0, 1)])),
    ]
    with pytest.raises(GeofenceError) as caught:
        zone_index.refresh(bad)
    paths = [path for path, _ in caught.value.errors]
    assert paths == [
        "geofences/0/kind",
        "geofences/1/polygon",
        "geofences/2/polygon",
        "geofences/3/site_id",
        "geofences/3/polygon",
    ]
    assert zone_index.tags_at(51.9, 4.4) != ()


def test_centre_is_inside_the_zone(zone_index):
    """centre() gives a (lat, lon) inside the site's zone, or None for an unknown site."""
    lat, lon = zone_index.centre("buyer-dordt")
    assert zone_index.tags_at(lat, lon) == (ZoneTag("buyer-dordt", "delivery"),)
    assert zone_index.centre("nowhere") is None
