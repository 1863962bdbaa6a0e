"""Schemas and helpers shared by the API blueprints."""

from __future__ import annotations

import math

from flask import current_app
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape, to_shape
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from shapely.geometry import Point, mapping, shape
from sqlalchemy import func, select

from server.db.types import MAX_ID
from server.extensions import db


def IdField(**kwargs) -> fields.Integer:  # noqa: N802 (reads like the other field classes)
    """A reference to a row: a strict positive integer that fits the id column."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class PageArgs(Schema):
    """Bounded pagination: a client can never ask for an unbounded list."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


def page_of(query, args: dict, dump) -> dict:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    limit = min(args["limit"], current_app.config["PAGE_SIZE_MAX"])
    rows = db.session.scalars(query.limit(limit).offset(args["offset"])).all()
    return {"items": [dump(r) for r in rows], "total": total, "limit": limit, "offset": args["offset"]}


def page_schema(item, name: str | None = None) -> type[Schema]:
    """The schema of one page of ``item``s, as ``page_of`` answers it (named ``<Item>Page`` by default)."""
    return type(name or f"{item.__name__}Page", (Schema,), {
        "items": fields.List(fields.Nested(item)), "total": fields.Integer(),
        "limit": fields.Integer(), "offset": fields.Integer()})


class LatLon(Schema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-180, max=180))


class GeoJSONPolygon(Schema):
    """A GeoJSON Polygon in WGS84 that Shapely finds valid (closed, not self-crossing)."""

    type = fields.String(required=True, validate=validate.Equal("Polygon"))
    coordinates = fields.List(
        fields.List(fields.List(fields.Float(allow_nan=False), validate=validate.Length(equal=2)),
                    validate=validate.Length(min=4, max=10_000)),
        required=True, validate=validate.Length(min=1, max=50))

    @validates_schema
    def _valid_polygon(self, data, **_kwargs):
        if "coordinates" not in data or "type" not in data:
            return  # a partial update without the geometry; field rules report what is missing
        for ring in data["coordinates"]:
            for lon, lat in ring:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon + lat):
                    raise ValidationError(_("coordinates out of range (lon ±180, lat ±90)"), "coordinates")
        try:
            polygon = shape(data)
        except Exception as exc:  # shapely raises several types for malformed rings
            raise ValidationError(_("not a polygon: %(exc)s", exc=exc), "coordinates") from exc
        if not polygon.is_valid or polygon.area == 0:
            raise ValidationError(_("the polygon is invalid (self-crossing, open or empty)"), "coordinates")


def point_to_db(latlon: dict):
    return from_shape(Point(latlon["lon"], latlon["lat"]), srid=4326)


def point_from_db(value) -> dict | None:
    if value is None:
        return None
    point = to_shape(value)
    return {"lat": point.y, "lon": point.x}


def polygon_to_db(geojson: dict | None):
    return None if geojson is None else from_shape(shape(geojson), srid=4326)


def polygon_from_db(value) -> dict | None:
    if value is None:
        return None
    geo = mapping(to_shape(value))
    return {"type": geo["type"], "coordinates": [[list(c) for c in ring] for ring in geo["coordinates"]]}
