"""Plain data in, a checked :class:`DockProblem` out; every input error names its field path.

Docks and loads are mappings (as decoded from JSON)::

    dock = {"id": "D1", "site": "north", "equipment": ["pallet_dock"],
            "opening": [[360, 1320]], "breaks": [[720, 750]], "speed": 1.0}
    load = {"id": "L1", "site": "north", "equipment": "pallet_dock",
            "pallets": 26, "tonnes": 0, "arrival": 400, "due": 460}
    pin = {"load": "L1", "dock": "D1", "start": 400, "end": 441}

Times are minutes from the start of the planning day; fractional minutes are rounded to
the nearest whole one. ``opening`` defaults to the whole day [0, 1440); ``due`` defaults to
"never late". A pin fixes an appointment that is in progress or already called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from server.engines.docks.durations import DurationPolicy, RateTable
from server.engines.docks.model import (
    NO_COMPATIBLE_DOCK,
    NO_OPENING_FITS,
    Dock,
    DockProblem,
    DockValidationError,
    Equipment,
    Interval,
    Load,
    Pin,
    Weights,
    merge_intervals,
)
from server.engines.docks.timeline import earliest_fit

Errors = list[tuple[str, str]]
_KNOWN = ", ".join(e.value for e in Equipment)


def _number(value, path: str, errors: Errors, *, minimum: float | None = None) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append((path, "must be a number"))
        return None
    if not math.isfinite(value):
        errors.append((path, "must be a finite number"))
        return None
    if minimum is not None and value < minimum:
        errors.append((path, f"must be >= {minimum}, got {value}"))
        return None
    return value


def _minute(value, path: str, errors: Errors) -> int | None:
    number = _number(value, path, errors)
    return None if number is None else round(number)


def _text(value, path: str, errors: Errors) -> str | None:
    if not isinstance(value, str) or not value:
        errors.append((path, "must be a non-empty string"))
        return None
    return value


def _equipment(value, path: str, errors: Errors) -> Equipment | None:
    try:
        return Equipment(value)
    except ValueError:
        errors.append((path, f"unknown equipment {value!r} (known: {_KNOWN})"))
        return None


def _windows(raw, path: str, errors: Errors) -> list[Interval]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        errors.append((path, "must be a list of [start, end] pairs"))
        return []
    windows = []
    for k, pair in enumerate(raw):
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            errors.append((f"{path}/{k}", "must be a [start, end] pair"))
            continue
        start, end = _minute(pair[0], f"{path}/{k}/0", errors), _minute(pair[1], f"{path}/{k}/1", errors)
        if start is not None and end is not None:
            if start > end:
                errors.append((f"{path}/{k}", f"start {start} is after end {end}"))
            else:
                windows.append((start, end))
    return windows


def _dock(raw, path: str, errors: Errors) -> Dock | None:
    if not isinstance(raw, Mapping):
        errors.append((path, "must be an object"))
        return None
    n = len(errors)
    dock_id = _text(raw.get("id"), f"{path}/id", errors)
    site = raw.get("site", "")
    if not isinstance(site, str):
        errors.append((f"{path}/site", "must be a string"))
    kinds = raw.get("equipment")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(kinds, Sequence) or not kinds:
        errors.append((f"{path}/equipment", "must be a non-empty list of equipment types"))
        kinds = []
    equipment = [_equipment(kind, f"{path}/equipment/{k}", errors) for k, kind in enumerate(kinds)]
    opening = _windows(raw.get("opening", [[0, 1440]]), f"{path}/opening", errors)
    breaks = _windows(raw.get("breaks", []), f"{path}/breaks", errors)
    speed = _number(raw.get("speed", 1.0), f"{path}/speed", errors)
    if speed is not None and speed <= 0:
        errors.append((f"{path}/speed", "must be positive"))
    if len(errors) > n:
        return None
    return Dock(dock_id, site, frozenset(equipment), merge_intervals(opening), merge_intervals(breaks), speed)


def _load(raw, path: str, errors: Errors, never_late: int) -> Load | None:
    if not isinstance(raw, Mapping):
        errors.append((path, "must be an object"))
        return None
    n = len(errors)
    load_id = _text(raw.get("id"), f"{path}/id", errors)
    site = raw.get("site", "")
    if not isinstance(site, str):
        errors.append((f"{path}/site", "must be a string"))
    equipment = _equipment(raw.get("equipment"), f"{path}/equipment", errors)
    pallets = _number(raw.get("pallets", 0), f"{path}/pallets", errors, minimum=0)
    if pallets is not None and pallets != int(pallets):
        errors.append((f"{path}/pallets", "must be a whole number"))
    tonnes = _number(raw.get("tonnes", 0.0), f"{path}/tonnes", errors, minimum=0)
    if "arrival" not in raw:
        errors.append((f"{path}/arrival", "is required (the truck's ETA in minutes)"))
    arrival = _minute(raw.get("arrival"), f"{path}/arrival", errors) if "arrival" in raw else None
    due = raw.get("due")
    due = never_late if due is None else _minute(due, f"{path}/due", errors)
    if arrival is not None and due is not None and due < arrival:
        errors.append((f"{path}/due", f"due {due} is before arrival {arrival}"))
    if len(errors) > n:
        return None
    return Load(load_id, site, equipment, arrival, max(due, arrival), int(pallets), float(tonnes))


def _closed(dock: Dock, day_start: int, horizon: int) -> tuple[Interval, ...]:
    """Times in [day_start, horizon) when the dock cannot load: not open, or on a break."""
    closed, cursor = list(dock.breaks), day_start
    for start, end in dock.opening:
        closed.append((cursor, start))
        cursor = max(cursor, end)
    closed.append((cursor, horizon))
    return merge_intervals(closed)


def _durations(loads, docks, policy: DurationPolicy, errors: Errors) -> list[dict[int, int]]:
    table: list[dict[int, int]] = []
    for i, load in enumerate(loads):
        row = {}
        for d, dock in enumerate(docks):
            if dock.site != load.site or load.equipment not in dock.equipment:
                continue
            minutes = policy.minutes(load, dock)
            ok = isinstance(minutes, int | float) and math.isfinite(minutes) and minutes == int(minutes)
            if not ok or minutes <= 0:
                errors.append(
                    (
                        f"loads/{i}/duration",
                        f"is {minutes!r} min on dock {dock.id}: must be a positive whole number",
                    )
                )
                continue
            row[d] = int(minutes)
        table.append(row)
    return table


def _pins(raw_pins, loads, docks, durations, errors: Errors) -> list[Pin]:
    load_ix = {load.id: i for i, load in enumerate(loads)}
    dock_ix = {dock.id: d for d, dock in enumerate(docks)}
    pins: list[Pin] = []
    seen: set[int] = set()
    for k, raw in enumerate(raw_pins):
        path = f"pins/{k}"
        if not isinstance(raw, Mapping):
            errors.append((path, "must be an object"))
            continue
        i, d = load_ix.get(raw.get("load")), dock_ix.get(raw.get("dock"))
        if i is None:
            errors.append((f"{path}/load", f"unknown load {raw.get('load')!r}"))
        elif i in seen:
            errors.append((f"{path}/load", f"load {raw.get('load')!r} is pinned twice"))
        if d is None:
            errors.append((f"{path}/dock", f"unknown dock {raw.get('dock')!r}"))
        start = _minute(raw.get("start"), f"{path}/start", errors)
        if i is None or d is None or i in seen or start is None:
            continue
        if d not in durations[i]:
            errors.append((f"{path}/dock", f"dock {docks[d].id} cannot load {loads[i].id}"))
            continue
        end = (
            _minute(raw["end"], f"{path}/end", errors)
            if raw.get("end") is not None
            else start + durations[i][d]
        )
        if end is None:
            continue
        if end <= start:
            errors.append((f"{path}/end", f"end {end} must be after start {start}"))
            continue
        clash = next((p for p in pins if p.dock == d and p.start < end and start < p.end), None)
        if clash is not None:
            errors.append(
                (path, f"overlaps the pinned appointment of {loads[clash.load].id} on {docks[d].id}")
            )
            continue
        seen.add(i)
        pins.append(Pin(i, d, start, end))
    return pins


def _weights(raw, errors: Errors) -> Weights:
    if raw is None or isinstance(raw, Weights):
        return raw or Weights()
    values = {}
    for name in ("waiting", "lateness", "move"):
        value = raw.get(name, getattr(Weights(), name))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.append((f"weights/{name}", "must be a whole number >= 0"))
        else:
            values[name] = value
    return Weights(**values)


def build_problem(
    docks: Sequence[Mapping],
    loads: Sequence[Mapping],
    *,
    pins: Sequence[Mapping] = (),
    weights: Weights | Mapping | None = None,
    durations: DurationPolicy | None = None,
) -> DockProblem:
    """Check plain input and precompute durations, closed times and dock options.

    Raises :class:`DockValidationError` listing every problem found.
    """
    errors: Errors = []
    dock_list = [_dock(raw, f"docks/{d}", errors) for d, raw in enumerate(docks)]
    opening = [w for dock in dock_list if dock for w in dock.opening]
    day_start = min([0, *(s for s, _ in opening)])
    horizon = max([day_start, *(e for _, e in opening)])
    load_list = [_load(raw, f"loads/{i}", errors, horizon) for i, raw in enumerate(loads)]
    for kind, items in (("docks", docks), ("loads", loads)):
        seen: set[str] = set()
        for k, raw in enumerate(items):
            ident = raw.get("id") if isinstance(raw, Mapping) else None
            if isinstance(ident, str) and ident in seen:
                errors.append((f"{kind}/{k}/id", f"duplicate id {ident!r}"))
            elif isinstance(ident, str):
                seen.add(ident)
    weight_set = _weights(weights, errors)
    if errors:
        raise DockValidationError(errors)
    table = _durations(load_list, dock_list, durations or RateTable(), errors)
    pin_list = _pins(pins, load_list, dock_list, table, errors)
    if errors:
        raise DockValidationError(errors)
    closed = tuple(_closed(dock, day_start, horizon) for dock in dock_list)
    options = tuple(tuple(sorted(row.items())) for row in table)
    problem = DockProblem(
        tuple(dock_list), tuple(load_list), options, closed, tuple(pin_list), day_start, horizon, weight_set
    )
    return replace(problem, impossible=find_impossible(problem))


def find_impossible(problem: DockProblem, only: set[int] | None = None) -> tuple[tuple[int, str], ...]:
    """Unpinned loads that no dock can ever take, with the reason (for ``only`` these loads)."""
    blocked = [([s for s, _ in b], [e for _, e in b]) for b in problem.blocked]
    impossible = []
    for i, load in enumerate(problem.loads):
        if i in problem.pinned or (only is not None and i not in only):
            continue
        earliest = max(load.arrival, problem.day_start)
        if not problem.options[i]:
            impossible.append((i, NO_COMPATIBLE_DOCK))
        elif all(
            earliest_fit(*blocked[d], earliest, m, problem.horizon) is None for d, m in problem.options[i]
        ):
            impossible.append((i, NO_OPENING_FITS))
    return tuple(impossible)
