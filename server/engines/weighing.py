"""Weighing at the shipping point: a weigh ticket's net weight and when it is off the expected weight.

The chain (``evidence_chain``) checks a ticket's own numbers when it is recorded; what the net
weight means for the load (over or under what was ordered, by the site's tolerance) is decided
here, once, for the yard and anyone else who reads tickets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from server.engines.evidence_chain import EvidenceValidationError, validate_weigh_ticket


@dataclass(frozen=True)
class WeightException:
    """A net weight outside the tolerated difference from the expected weight."""

    net_kg: float
    expected_kg: float
    difference_kg: float  # net - expected
    difference_pct: float
    direction: str  # "over" or "under"


def net_weight(gross_kg: float, tare_kg: float) -> float:
    """Net weight of a weigh ticket; raises :class:`EvidenceValidationError` on bad weights."""
    errors = validate_weigh_ticket({"gross_kg": gross_kg, "tare_kg": tare_kg})
    if errors:
        raise EvidenceValidationError(errors)
    return gross_kg - tare_kg


def net_weight_exception(net_kg: float, expected_kg: float, tolerance_pct: float) -> WeightException | None:
    """The exception to raise when ``net_kg`` is more than ``tolerance_pct`` % off ``expected_kg``, else None."""
    errors = []
    for name, value in (("net_kg", net_kg), ("expected_kg", expected_kg), ("tolerance_pct", tolerance_pct)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            errors.append((name, "must be a finite number >= 0"))
    if not errors and expected_kg <= 0:
        errors.append(("expected_kg", "must be positive"))
    if errors:
        raise EvidenceValidationError(errors)
    difference = net_kg - expected_kg
    if abs(difference) <= expected_kg * tolerance_pct / 100:
        return None
    pct = 100 * difference / expected_kg
    return WeightException(net_kg, expected_kg, difference, pct, "over" if difference > 0 else "under")
