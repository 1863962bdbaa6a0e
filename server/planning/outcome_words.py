"""The planning engines' outcomes in the reader's language, made at the API edge from their codes.

The engines are pure (no Flask, no Babel): each outcome they report carries an English ``reason`` and
the same as data, a ``code`` with its values. Here ``describe_outcome(code, values)`` turns the code and
values into a sentence through gettext with named placeholders, in the current request's locale; the
English msgids are the engines' own sentences, so an English reader reads exactly what the engine wrote.
An unknown code keeps the engine's text (``values["reason"]``). Numbers are written as the engines and the
order pages write them (up to six significant digits, thousands apart by a thin space: ``30 000``), the
same in every language.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from server.engines.routing.result import drop_codes

# Load building (``engines/loadbuilding``, ``UnplacedLine``): keyed by code, part and dimension.
UNPLACED = {
    ("unit_too_big", "unit", "weight"):
        _l("one unit needs %(needed)s kg of weight; the largest allowed vehicle takes %(largest)s kg"),
    ("unit_too_big", "unit", "volume"):
        _l("one unit needs %(needed)s m³ of volume; the largest allowed vehicle takes %(largest)s m³"),
    ("unit_too_big", "unit", "pallets"):
        _l("one unit needs %(needed)s pallet positions of pallets; the largest allowed vehicle takes "
           "%(largest)s pallet positions"),
    ("line_too_big", "line", "weight"):
        _l("the non-splittable line needs %(needed)s kg of weight; the largest allowed vehicle takes "
           "%(largest)s kg"),
    ("line_too_big", "line", "volume"):
        _l("the non-splittable line needs %(needed)s m³ of volume; the largest allowed vehicle takes "
           "%(largest)s m³"),
    ("line_too_big", "line", "pallets"):
        _l("the non-splittable line needs %(needed)s pallet positions of pallets; the largest allowed vehicle "
           "takes %(largest)s pallet positions"),
    ("no_single_vehicle", "unit", ""):
        _l("no single allowed vehicle type takes one unit's weight, volume and pallets together"),
    ("no_single_vehicle", "line", ""):
        _l("no single allowed vehicle type takes the non-splittable line's weight, volume and pallets together"),
    ("no_vehicle", "", ""): _l("no vehicle of an allowed type is available"),
    ("fleet_short", "", ""): _l("the fleet has no vehicle of an allowed type left for these units"),
}

# Routing (``engines/routing``, ``DroppedStop.code``: the ``DropReason`` member's name in lower case).
DROPPED = {
    "demand_exceeds_every_vehicle": _l("demand exceeds every vehicle"),
    "time_window_unreachable": _l("time window unreachable from any depot"),
    "pair_unservable": _l("pickup and delivery cannot be served by one vehicle in time"),
    "no_carrier_reaches": _l("no vehicle that can carry its demand reaches its time window"),
    "pinned_vehicle_unable": _l("the vehicle it is committed to cannot serve it in time"),
    "group_unservable": _l("no vehicle can serve every stop of its group"),
    "partner_dropped": _l("its pickup/delivery partner cannot be served"),
    "penalty_cheaper": _l("dropped by optimiser: penalty cheaper than serving"),
    "no_route_found": _l("no feasible route found for it within the time limit"),
}
PARTNER_BECAUSE = _l("its pickup/delivery partner cannot be served (%(cause)s)")


def number(value) -> str:
    """A quantity as the engines write it: ``30 000``, ``1.5``."""
    return f"{float(value):,.6g}".replace(",", " ")


def describe_outcome(code: str | None, values: Mapping | None = None) -> str:
    """An engine's outcome ``code`` with its ``values`` as a sentence in the current locale.

    ``values`` are the outcome's own fields (``part``, ``dimension``, ``needed``, ``largest`` of an
    unplaced line; ``cause`` of a dropped stop whose partner was dropped); ``reason`` is the engine's
    English, kept when the code is not known here."""
    values = values or {}
    if not code and values.get("reason"):  # a route plan stored before drops had codes: read its text
        code, cause = drop_codes(str(values["reason"]))
        values = {**values, "cause": values.get("cause") or cause}
    part = values.get("part") or {"unit_too_big": "unit", "line_too_big": "line"}.get(code or "", "")
    unplaced = UNPLACED.get((code, part, values.get("dimension") or ""))
    if unplaced is None and code in ("no_vehicle", "fleet_short"):
        unplaced = UNPLACED[(code, "", "")]
    if unplaced is not None:
        return str(unplaced) % {"needed": number(values.get("needed", 0)), "largest": number(values.get("largest", 0))}
    if code == "partner_dropped" and values.get("cause") in DROPPED:
        return str(PARTNER_BECAUSE) % {"cause": str(DROPPED[values["cause"]])}
    if code in DROPPED:
        return str(DROPPED[code])
    return str(values.get("reason") or code or "")


def with_reasons(entries, keys: tuple[str, ...] = ("part", "dimension", "needed", "largest", "cause")) -> list:
    """``entries`` (dicts with ``code`` and ``reason``) with each ``reason`` in the current locale."""
    return [{**entry, "reason": describe_outcome(entry.get("code"), {**{k: entry.get(k) for k in keys if k in entry},
                                                                     "reason": entry.get("reason")})}
            if isinstance(entry, dict) else entry for entry in entries or []]


def job_result_in_readers_words(kind: str | None, result):
    """A job's stored result with the engines' reasons in the current locale (the rest unchanged)."""
    if not isinstance(result, dict):
        return result
    if kind == "load_plan" and isinstance(result.get("plan"), dict):
        return {**result, "plan": {**result["plan"], "unplaced": with_reasons(result["plan"].get("unplaced"))}}
    if kind == "route_plan":
        out = {**result, "left_out": with_reasons(result.get("left_out"))} if "left_out" in result else dict(result)
        if isinstance(result.get("result"), dict) and "dropped" in result["result"]:
            out["result"] = {**result["result"], "dropped": with_reasons(result["result"]["dropped"])}
        return out
    return result
