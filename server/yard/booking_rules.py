"""A plant's booking rules: how early a carrier must book, when it may still move or cancel, how
long a booked truck may be late before it is a no-show, and how long a truck may stay for free.

Each site keeps its own values in ``Site.booking_rules`` (a JSON object); a key it does not set
takes the default below (two of them from the older app-wide settings, so nothing changes for a
plant that never set its rules). The carrier is held to the rules; the site's own staff are not
(they run the docks), except for the no-show, which frees the dock for everyone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from marshmallow import Schema, validate
from marshmallow import fields as mf

from server.models import Site
from server.yard.refusals import YardRefused

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class BookingRules:
    lead_minutes: int = 60  # a carrier books at least this long before the slot starts
    move_cutoff_minutes: int = 60  # ... and moves it no later than this before it starts
    cancel_cutoff_minutes: int = 60  # ... and cancels it no later than this before it starts
    no_show_grace_minutes: int = 30  # a booked truck not at the gate this long after its start is a no-show
    on_time_grace_minutes: int = 15  # arriving within this after the slot's start is on time
    free_minutes: int = 120  # time on site (gate-in to gate-out) before detention counts


class BookingRulesIn(Schema):
    """Any subset of the rules, in whole minutes (at most a week)."""

    lead_minutes = mf.Integer(validate=validate.Range(min=0, max=7 * DAY_MINUTES))
    move_cutoff_minutes = mf.Integer(validate=validate.Range(min=0, max=7 * DAY_MINUTES))
    cancel_cutoff_minutes = mf.Integer(validate=validate.Range(min=0, max=7 * DAY_MINUTES))
    no_show_grace_minutes = mf.Integer(validate=validate.Range(min=1, max=DAY_MINUTES))
    on_time_grace_minutes = mf.Integer(validate=validate.Range(min=0, max=DAY_MINUTES))
    free_minutes = mf.Integer(validate=validate.Range(min=0, max=7 * DAY_MINUTES))


def defaults() -> BookingRules:
    config = current_app.config
    cutoff = int(config.get("YARD_RESCHEDULE_CUTOFF_MINUTES", 60))
    return BookingRules(move_cutoff_minutes=cutoff, cancel_cutoff_minutes=cutoff,
                        on_time_grace_minutes=int(config.get("YARD_ON_TIME_GRACE_MINUTES", 15)))


def rules_of(site: Site | None) -> BookingRules:
    """The site's rules, its own values over the defaults (unknown keys are ignored)."""
    base = asdict(defaults())
    own = (site.booking_rules or {}) if site is not None else {}
    names = {f.name for f in fields(BookingRules)}
    base.update({key: int(value) for key, value in own.items() if key in names and isinstance(value, int)})
    return BookingRules(**base)


def _refuse(rule: str, minutes: int, detail: str, field: str = "start") -> YardRefused:
    return YardRefused("invalid", rule, detail, [(field, detail)], rule=rule, minutes=minutes)


def check_lead_time(rules: BookingRules, start: datetime, now: datetime) -> None:
    """A carrier's new or moved slot starts at least ``lead_minutes`` from now."""
    if start < now + timedelta(minutes=rules.lead_minutes):
        raise _refuse("lead_time", rules.lead_minutes,
                      _("A slot must be booked at least %(lead_minutes)s minutes before it starts.",
                        lead_minutes=rules.lead_minutes))


def check_move_cutoff(rules: BookingRules, old_start: datetime, now: datetime) -> None:
    if now >= old_start - timedelta(minutes=rules.move_cutoff_minutes):
        raise YardRefused("conflict", "too_late_to_reschedule",
                          _("A slot can be moved up to %(move_cutoff_minutes)s minutes before it starts; ask "
                            "the plant.", move_cutoff_minutes=rules.move_cutoff_minutes),
                          rule="move_cutoff", minutes=rules.move_cutoff_minutes)


def check_cancel_cutoff(rules: BookingRules, old_start: datetime, now: datetime) -> None:
    if now >= old_start - timedelta(minutes=rules.cancel_cutoff_minutes):
        raise YardRefused("conflict", "too_late_to_cancel",
                          _("A slot can be cancelled up to %(cancel_cutoff_minutes)s minutes before it "
                            "starts; ask the plant.", cancel_cutoff_minutes=rules.cancel_cutoff_minutes),
                          rule="cancel_cutoff", minutes=rules.cancel_cutoff_minutes)
