"""Whether a truck can carry a load: equipment, capacity and hazmat certification."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadNeeds:
    equipment: str
    weight_kg: float
    volume_m3: float
    pallets: float
    hazmat_classes: tuple[str, ...] = ()

    @property
    def hazmat(self) -> bool:
        return bool(self.hazmat_classes)


@dataclass(frozen=True)
class Truck:
    vehicle_id: int
    carrier_id: int
    equipment: tuple[str, ...]
    max_weight_kg: float
    max_volume_m3: float
    pallet_positions: float
    hazmat_certified: bool
    free: bool = True


def parse_hazmat(classes: str | None) -> tuple[str, ...]:
    """Load.hazmat_classes is a comma-separated string such as '3,8'."""
    return tuple(c.strip() for c in (classes or "").split(",") if c.strip())


def shortfalls(needs: LoadNeeds, truck: Truck) -> list[str]:
    """Each way the truck falls short of the load; empty when it qualifies."""
    missing = []
    if needs.equipment and needs.equipment not in truck.equipment:
        missing.append(f"equipment {needs.equipment}")
    if truck.max_weight_kg < needs.weight_kg:
        missing.append(f"weight capacity {needs.weight_kg:g} kg")
    if truck.max_volume_m3 < needs.volume_m3:
        missing.append(f"volume capacity {needs.volume_m3:g} m3")
    if truck.pallet_positions < needs.pallets:
        missing.append(f"{needs.pallets:g} pallet positions")
    if needs.hazmat and not truck.hazmat_certified:
        missing.append(f"hazmat certification (classes {', '.join(needs.hazmat_classes)})")
    return missing


def qualified(needs: LoadNeeds, trucks: Iterable[Truck]) -> list[Truck]:
    return [t for t in trucks if not shortfalls(needs, t)]


def why_none_qualifies(needs: LoadNeeds, trucks: Iterable[Truck]) -> list[str]:
    """The shortfalls across a carrier's trucks, for the refusal message (sorted, unique)."""
    trucks = list(trucks)
    if not trucks:
        return ["no active vehicle"]
    return sorted({gap for truck in trucks for gap in shortfalls(needs, truck)})
