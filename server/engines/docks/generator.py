"""A seeded, plausible plant day for benchmarks and tests: docks plus the trucks they load.

Docks (one site, ``plant``): about 65% pallet docks, 15% pallet docks that also take side
loaders, 12.5% liquid loading arms and 7.5% bulk chutes. Pallet docks work two shifts,
05:00-23:00, with a 30-minute lunch break staggered across docks; liquid and bulk docks
run around the clock with a 20-minute handover at each shift change (06:00, 14:00, 22:00).
Docks differ a little in speed (0.9-1.1).

Trucks: 74% palletised (10-33 pallets, full loads common), 8% side-loaded, 9% liquid
(18-30 t), 9% bulk (20-28 t). ETAs bunch around a morning peak (07:00, 35% of trucks),
a late-morning wave (10:30, 20%) and an afternoon wave (14:00, 25%); the other 20% come
at any time the docks are open. The carrier's window (``due``) closes 30 to 120 minutes
after the ETA. ETAs are exact (no arrival noise) and durations follow the rate table.

How busy that is: with 1,000 trucks on 40 docks the work arriving between 06:00 and 15:00
is 1.13-1.17 times what the pallet docks can load in those hours (liquid arms about 1.05),
against about 0.7 over the whole day, so a queue builds all morning and clears by the
evening. With 700 trucks most trucks wait only minutes.
"""

from __future__ import annotations

import random

_DOCK_MIX = (("pallet", 0.65), ("pallet+side", 0.15), ("liquid", 0.125), ("bulk", 0.075))
_EQUIPMENT = {
    "pallet": ["pallet_dock"],
    "pallet+side": ["pallet_dock", "side_loader"],
    "liquid": ["liquid_arm"],
    "bulk": ["bulk_chute"],
}
_WAVES = (
    (7 * 60, 60, 0.35),
    (10 * 60 + 30, 75, 0.20),
    (14 * 60, 90, 0.25),
    (None, None, 0.20),
)  # mean, sd, share


def _dock_kinds(count: int) -> list[str]:
    """Kinds for ``count`` docks by largest remainder, at least one of each when count >= 4."""
    base = {kind: int(share * count) for kind, share in _DOCK_MIX}
    if count >= len(_DOCK_MIX):
        for kind in base:
            base[kind] = max(1, base[kind])
    by_remainder = sorted(_DOCK_MIX, key=lambda ks: ks[1] * count - int(ks[1] * count), reverse=True)
    k = 0
    while sum(base.values()) < count:
        base[by_remainder[k % len(by_remainder)][0]] += 1
        k += 1
    while sum(base.values()) > count:
        kind = max(base, key=base.get)
        base[kind] -= 1
    return [kind for kind, _ in _DOCK_MIX for _ in range(base[kind])]


def plant_docks(count: int, rng: random.Random) -> list[dict]:
    """``count`` docks of the plant, as plain dicts for ``build_problem``."""
    docks = []
    for d, kind in enumerate(_dock_kinds(count)):
        if kind.startswith("pallet"):
            lunch = 690 + 30 * (d % 4)  # 11:30 .. 13:00, staggered so the plant never stops
            opening, breaks = [[300, 1380]], [[lunch, lunch + 30]]
        else:
            opening, breaks = [[0, 1440]], [[360, 380], [840, 860], [1320, 1340]]
        docks.append(
            {
                "id": f"D{d + 1:02d}",
                "site": "plant",
                "equipment": _EQUIPMENT[kind],
                "opening": opening,
                "breaks": breaks,
                "speed": round(rng.uniform(0.9, 1.1), 2),
            }
        )
    return docks


def _arrival(rng: random.Random, equipment: str) -> int:
    earliest, latest = (300, 1260) if equipment in ("pallet_dock", "side_loader") else (0, 1380)
    mean, sd, _ = rng.choices(_WAVES, weights=[w[2] for w in _WAVES])[0]
    minute = rng.uniform(earliest, latest) if mean is None else rng.gauss(mean, sd)
    return int(min(latest, max(earliest, minute)))


def plant_loads(count: int, rng: random.Random) -> list[dict]:
    """``count`` trucks for one plant day, as plain dicts for ``build_problem``."""
    loads = []
    for n in range(count):
        equipment = rng.choices(
            ["pallet_dock", "side_loader", "liquid_arm", "bulk_chute"], weights=[74, 8, 9, 9]
        )[0]
        load = {"id": f"T{n + 1:04d}", "site": "plant", "equipment": equipment}
        if equipment in ("pallet_dock", "side_loader"):
            load["pallets"] = 33 if rng.random() < 0.4 else rng.randint(10, 32)
        else:
            load["tonnes"] = round(
                rng.uniform(18, 30) if equipment == "liquid_arm" else rng.uniform(20, 28), 1
            )
        load["arrival"] = _arrival(rng, equipment)
        load["due"] = load["arrival"] + rng.randint(30, 120)
        loads.append(load)
    return loads


def plant_day(trucks: int, docks: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """(docks, loads) of one generated plant day; the same seed gives the same day."""
    rng = random.Random(seed)
    return plant_docks(docks, rng), plant_loads(trucks, rng)
