"""Time-driven tender rules: the widening near-first radius and sequential offers.

Both are computed from stored start times and the clock, so they can be advanced lazily
(on any read or action) or by the periodic sweep, with the same answer either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Widening:
    """Near-first: ``base_km`` at the start, doubling every ``step``; past ``max_km``, open to all."""

    base_km: float
    step: timedelta
    max_km: float

    def tier(self, opened_at: datetime, now: datetime) -> int | None:
        """How many doublings have happened; None once open to every qualified carrier."""
        if self.base_km <= 0:
            return None
        elapsed = max((now - opened_at).total_seconds(), 0.0)
        tier = int(elapsed // self.step.total_seconds())
        if self.base_km * (2 ** min(tier, 60)) > self.max_km:
            return None
        return tier

    def reach_km(self, opened_at: datetime, now: datetime) -> float | None:
        """The radius around the pickup right now; None once open to every qualified carrier."""
        tier = self.tier(opened_at, now)
        return None if tier is None else self.base_km * 2 ** tier

    def open_to_all_at(self, opened_at: datetime) -> datetime:
        if self.base_km <= 0:
            return opened_at
        doublings = math.floor(math.log2(self.max_km / self.base_km)) + 1 if self.max_km >= self.base_km else 0
        return opened_at + self.step * doublings


@dataclass(frozen=True)
class OfferState:
    """Where a sequential tender stands: ``index`` into the preferred list, and since when."""

    index: int
    started_at: datetime

    def opened_to_board(self, carriers: int) -> bool:
        return self.index >= carriers


def advance_offer(state: OfferState, carriers: int, timeout: timedelta, now: datetime) -> OfferState:
    """Skip every offer whose response time ran out by ``now``; the board opens after the last."""
    index, started = state.index, state.started_at
    while index < carriers and now >= started + timeout:
        started = started + timeout
        index += 1
    return OfferState(index, started)


def decline_offer(state: OfferState, now: datetime) -> OfferState:
    """The offered carrier said no: the next one hears at once."""
    return OfferState(state.index + 1, now)
