"""How trucks keep their appointments: a seeded draw of on-time noise, late trucks and no-shows.

Every truck gets one :class:`Behaviour` for the day, drawn before anything is booked, so
the same seed gives the same drivers whatever the plant does:

* ``no_show`` (3-5% of trucks; the rate itself is drawn per day): never comes; ``announced``
  (``announced_share``, as for late trucks, from a stream of its own so every other draw is
  unchanged) when its driver shares GPS: the trip has not started ``notice_min`` before the slot,
  which the plant sees as a late truck with no ETA (the rest are found out when the grace period
  runs out). This assumes every truck that does come is on the road by then, i.e. at least half
  an hour's drive away;
* ``late`` (``late_share``): arrives 30-90 minutes after the slot it aims at; ``announced``
  when its GPS ETA reaches the plant ``notice_min`` before that slot (the rest are found out
  at the gate, as a phone without the app would be);
* ``on_time`` (the rest): its slot plus a normal error with ``sd_min`` standard deviation,
  clipped to ``clip_min`` (with the defaults 95% within +-15 minutes, none beyond 25).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

ON_TIME, LATE, NO_SHOW = "on_time", "late", "no_show"


@dataclass(frozen=True)
class ArrivalNoise:
    """The mix of driver behaviour; minutes are relative to the slot a truck aims at."""

    no_show_rate: tuple[float, float] = (0.03, 0.05)
    late_share: float = 0.08
    late_min: tuple[int, int] = (30, 90)
    announced_share: float = 0.75
    sd_min: float = 7.5
    clip_min: int = 25


@dataclass(frozen=True)
class Behaviour:
    """One truck's day: ``delta`` minutes after its slot it passes the gate (None: never)."""

    kind: str
    delta: int | None
    announced: bool = False


def draw_behaviour(load_ids: Iterable[str], seed: int, noise: ArrivalNoise | None = None) -> dict[str, Behaviour]:
    """Behaviour per load id, from its own random stream (the day generator's draws are untouched)."""
    noise = noise or ArrivalNoise()
    ids = list(load_ids)
    rng = random.Random(f"appointments-{seed}")
    rate = rng.uniform(*noise.no_show_rate)
    no_shows = set(rng.sample(ids, round(rate * len(ids))))
    behaviour = {}
    for load_id in ids:
        if load_id in no_shows:
            behaviour[load_id] = Behaviour(NO_SHOW, None)
        elif rng.random() < noise.late_share:
            late_by = rng.randint(*noise.late_min)
            behaviour[load_id] = Behaviour(LATE, late_by, rng.random() < noise.announced_share)
        else:
            delta = round(rng.gauss(0.0, noise.sd_min))
            behaviour[load_id] = Behaviour(ON_TIME, max(-noise.clip_min, min(noise.clip_min, delta)))
    sharing_gps = random.Random(f"appointments-gps-{seed}")
    for load_id in ids:
        if load_id in no_shows:
            behaviour[load_id] = Behaviour(NO_SHOW, None, sharing_gps.random() < noise.announced_share)
    return behaviour
