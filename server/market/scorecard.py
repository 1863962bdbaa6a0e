"""Carrier scorecards over the last N loads, and each seller's thresholds for them.

Facts come as ``(load_id, kind, value)``: ``on_time_pickup`` and ``on_time_delivery`` are 1 or
0, ``tracked_share`` is the share of the trip with positions (0..1), ``cancelled`` counts the
carrier's withdrawals from an awarded load. The seller's ``Organisation.settings["market"]``
holds its thresholds; a carrier below one is not eligible for that seller's tenders.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from server.market.award_rules import DEFAULT_SCORE

KINDS = ("on_time_pickup", "on_time_delivery", "tracked_share", "cancelled")
# Weights of the score; cancellations weigh as a rate over the window.
WEIGHTS = {"on_time_pickup": 0.3, "on_time_delivery": 0.3, "tracked_share": 0.2, "reliability": 0.2}


class SettingsInvalid(ValueError):
    """Market settings that cannot be used, with (field_path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {m}" for p, m in errors))
        self.errors = errors


@dataclass(frozen=True)
class MarketSettings:
    """A seller's market settings; every field has a usable default."""

    window: int = 20                      # last N loads on a scorecard
    min_loads: int = 3                    # thresholds apply once a carrier has this many loads
    min_on_time_pickup: float = 0.0
    min_on_time_delivery: float = 0.0
    min_tracked_share: float = 0.0
    max_cancellations: int | None = None  # within the window
    score_weight: float = 0.5             # how much a poor score raises a score-adjusted price
    radius_step_minutes: float = 10.0     # the near-first radius doubles this often
    radius_max_km: float = 1000.0         # past this the tender is open to every qualified carrier

    @property
    def has_thresholds(self) -> bool:
        return (self.min_on_time_pickup > 0 or self.min_on_time_delivery > 0 or self.min_tracked_share > 0
                or self.max_cancellations is not None)

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> MarketSettings:
        """Read ``settings['market']``; raise SettingsInvalid naming each bad key."""
        raw = (settings or {}).get("market") or {}
        if not isinstance(raw, Mapping):
            raise SettingsInvalid([("market", _("must be an object"))])
        known = {f.name: f for f in fields(cls)}
        errors, values = [], {}
        for key, value in raw.items():
            if key not in known:
                errors.append((f"market/{key}", _("unknown setting")))
                continue
            problem = _check(key, value)
            if problem:
                errors.append((f"market/{key}", problem))
            else:
                values[key] = value
        if errors:
            raise SettingsInvalid(errors)
        return cls(**values)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_RANGES = {"window": (1, 500), "min_loads": (0, 500), "min_on_time_pickup": (0, 1), "min_on_time_delivery": (0, 1),
           "min_tracked_share": (0, 1), "max_cancellations": (0, 500), "score_weight": (0, 10),
           "radius_step_minutes": (0.1, 1440), "radius_max_km": (1, 20000)}
_INTEGERS = {"window", "min_loads", "max_cancellations"}


def _check(key: str, value) -> str | None:
    if key == "max_cancellations" and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return _("must be a number")
    if key in _INTEGERS and not isinstance(value, int):
        return _("must be an integer")
    low, high = _RANGES[key]
    if not low <= value <= high:
        return _("must be between %(low)s and %(high)s", low=low, high=high)
    return None


@dataclass(frozen=True)
class Scorecard:
    loads: int
    on_time_pickup: float | None
    on_time_delivery: float | None
    tracked_share: float | None
    cancellations: int
    score: float


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def build(facts: Iterable[tuple[int, str, float]]) -> Scorecard:
    """Summarise the facts of a carrier's last N loads (the caller picks the window)."""
    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    loads = set()
    for load_id, kind, value in facts:
        if kind in by_kind:
            by_kind[kind].append(float(value))
            loads.add(load_id)
    cancellations = int(sum(by_kind["cancelled"]))
    parts = {"on_time_pickup": _mean(by_kind["on_time_pickup"]),
             "on_time_delivery": _mean(by_kind["on_time_delivery"]),
             "tracked_share": _mean(by_kind["tracked_share"])}
    if not loads:
        score = DEFAULT_SCORE
    else:
        parts_with_default = {k: (DEFAULT_SCORE if v is None else v) for k, v in parts.items()}
        reliability = 1.0 - min(1.0, cancellations / len(loads))
        score = sum(WEIGHTS[k] * v for k, v in parts_with_default.items()) + WEIGHTS["reliability"] * reliability
    return Scorecard(len(loads), parts["on_time_pickup"], parts["on_time_delivery"], parts["tracked_share"],
                     cancellations, round(score, 4))


def ineligibility(card: Scorecard, settings: MarketSettings) -> list[str]:
    """Each threshold the carrier misses; empty when eligible (or too new to judge)."""
    if card.loads < settings.min_loads:
        return []
    reasons = []
    for name in ("on_time_pickup", "on_time_delivery", "tracked_share"):
        value, floor = getattr(card, name), getattr(settings, f"min_{name}")
        if value is not None and value < floor:
            reasons.append(str(BELOW[name]) % {"value": f"{value:.0%}", "floor": f"{floor:.0%}"})
    if settings.max_cancellations is not None and card.cancellations > settings.max_cancellations:
        reasons.append(_("%(count)s cancellations exceed %(most)s", count=card.cancellations,
                         most=settings.max_cancellations))
    return reasons


# Each measure below its floor, in the reader's language (lazy: formatted when a reason is given).
BELOW = {"on_time_pickup": _l("on time pickup %(value)s is below %(floor)s"),
         "on_time_delivery": _l("on time delivery %(value)s is below %(floor)s"),
         "tracked_share": _l("tracked share %(value)s is below %(floor)s")}
