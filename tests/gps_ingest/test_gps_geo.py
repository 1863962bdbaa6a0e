"""Tests for gps_ingest.geo: distances on the sphere."""

from __future__ import annotations

import math
import random

import pytest

from gps_ingest.geo import haversine_m, path_length_m, segment_offset_m


def test_haversine_one_degree_of_latitude():
    """One degree of latitude is about 111.2 km."""
    assert haversine_m((0.0, 0.0), (1.0, 0.0)) == pytest.approx(111_195, rel=1e-3)
    assert haversine_m((51.9, 4.4), (51.9, 4.4)) == 0.0


def test_path_length_sums_legs():
    """A polyline's length is the sum of its legs; fewer than two points is zero."""
    legs = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]
    assert path_length_m(legs) == pytest.approx(haversine_m(legs[0], legs[1]) + haversine_m(legs[1], legs[2]))
    assert path_length_m(legs[:1]) == 0.0


def test_segment_offset_projects_onto_the_segment():
    """A point beside a segment is its perpendicular distance away; past the end, the end's distance."""
    a, b = (52.0, 4.0), (52.0, 4.1)
    beside = (52.001, 4.05)
    assert segment_offset_m(beside, a, b) == pytest.approx(111.2, rel=1e-2)
    past = (52.0, 4.2)
    assert segment_offset_m(past, a, b) == pytest.approx(haversine_m(past, b), rel=1e-3)
    assert segment_offset_m(past, a, a) == pytest.approx(haversine_m(past, a), rel=1e-3)


def test_haversine_matches_the_math_radians_formula_exactly():
    """The inlined degree-to-radian factor gives bit-for-bit the distances of math.radians."""

    def reference(a, b):
        lat1, lon1 = map(math.radians, a)
        lat2, lon2 = map(math.radians, b)
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))

    draw = random.Random(7)
    for _ in range(2000):
        a = (draw.uniform(-90, 90), draw.uniform(-180, 180))
        b = (a[0] + draw.uniform(-0.01, 0.01), a[1] + draw.uniform(-0.01, 0.01))
        assert haversine_m(a, b) == reference(a, b)
        far = (draw.uniform(-90, 90), draw.uniform(-180, 180))
        assert haversine_m(a, far) == reference(a, far)
