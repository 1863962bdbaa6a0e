"""How long a load occupies a dock: a small policy, data-driven by a rate table.

The default :class:`RateTable` prices a load as

    minutes = ceil((setup + per_pallet * pallets + per_tonne * tonnes) / dock.speed)

with one :class:`Rate` per equipment. The default figures are planning values for a
typical European plant, meant to be overridden with the plant's own measured times:

============  =====  ==========  =========  ===========================================
equipment     setup  per pallet  per tonne  why
============  =====  ==========  =========  ===========================================
pallet_dock     12      0.6          0      rear loading by forklift from staged lanes,
                                            ~35 s a pallet; setup covers paperwork,
                                            load securing and the seal
side_loader     15      0.5          0      curtains open on the side, two forklifts
liquid_arm      20      0           1.0     coupling, earthing and a sample, then
                                            ~1 t/min pumping
bulk_chute      10      0           0.5     gravity chute, levelling and a re-weigh
============  =====  ==========  =========  ===========================================

A full 33-pallet truck takes 32 minutes; a 25 t tanker 45; a 25 t bulk truck 23.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from server.engines.docks.model import Dock, Equipment, Load


class DurationPolicy(Protocol):
    """Minutes that ``load`` keeps ``dock`` busy; must be a positive whole number."""

    def minutes(self, load: Load, dock: Dock) -> int: ...


@dataclass(frozen=True)
class Rate:
    """Loading time parameters for one equipment type, in minutes."""

    setup: float
    per_pallet: float = 0.0
    per_tonne: float = 0.0


DEFAULT_RATES: Mapping[Equipment, Rate] = {
    Equipment.PALLET_DOCK: Rate(setup=12, per_pallet=0.6),
    Equipment.SIDE_LOADER: Rate(setup=15, per_pallet=0.5),
    Equipment.LIQUID_ARM: Rate(setup=20, per_tonne=1.0),
    Equipment.BULK_CHUTE: Rate(setup=10, per_tonne=0.5),
}


class RateTable:
    """The default :class:`DurationPolicy`: setup plus per-pallet and per-tonne rates."""

    def __init__(self, rates: Mapping[Equipment | str, Rate] | None = None):
        table = dict(DEFAULT_RATES)
        for key, rate in (rates or {}).items():
            table[Equipment(key)] = rate
        for equipment, rate in table.items():
            for name in ("setup", "per_pallet", "per_tonne"):
                value = getattr(rate, name)
                if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                    raise ValueError(f"rate {equipment}.{name} must be a finite number >= 0, got {value!r}")
        self.rates = table

    def minutes(self, load: Load, dock: Dock) -> int:
        rate = self.rates[load.equipment]
        raw = rate.setup + rate.per_pallet * load.pallets + rate.per_tonne * load.tonnes
        # Round up: a booking shorter than the real work would make the next truck wait.
        return max(1, math.ceil(raw / dock.speed - 1e-9))
