"""Opening hours and breaks, as given by sites and docks."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
TIMEZONES = frozenset(available_timezones())


def _check_spans(spans, path: str) -> None:
    if not isinstance(spans, list) or len(spans) > 10:
        raise ValidationError(_("a list of at most 10 [open, close] pairs"), path)
    for i, span in enumerate(spans):
        if (not isinstance(span, list) or len(span) != 2 or not all(isinstance(t, str) for t in span)
                or not all(HHMM.match(t) for t in span)):
            raise ValidationError(_('each span is ["HH:MM", "HH:MM"]'), f"{path}/{i}")
        if span[0] >= span[1]:
            raise ValidationError(_("a span must open before it closes"), f"{path}/{i}")


def validate_hours(value: dict) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("an object of day -> spans"))
    for day, spans in value.items():
        if day not in DAYS:
            raise ValidationError(_("unknown day %(day)s; use %(value)s", day=repr(day),
                                    value=', '.join(DAYS)), day)
        _check_spans(spans, day)


OpeningHours = fields.Dict(load_default=dict, validate=validate_hours,
                           metadata={"example": {"mon": [["06:00", "22:00"]]}})


class Break(Schema):
    day = fields.String(required=True, validate=validate.OneOf(DAYS))
    start = fields.String(required=True, validate=validate.Regexp(HHMM))
    end = fields.String(required=True, validate=validate.Regexp(HHMM))

    @validates_schema
    def _ordered(self, data, **_kwargs):
        if data["start"] >= data["end"]:
            raise ValidationError(_("a break must start before it ends"), "end")


def validate_timezone(name: str) -> None:
    if name not in TIMEZONES:
        raise ValidationError(_("unknown IANA time zone"))
