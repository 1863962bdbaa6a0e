"""Whether a truck can carry a load: equipment, capacity and hazmat certification."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _


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


def _missing(needs: LoadNeeds, truck: Truck) -> list[str]:
    """What the truck lacks, as codes (no words: the board checks every truck of every carrier)."""
    missing = []
    if needs.equipment and needs.equipment not in truck.equipment:
        missing.append("equipment")
    if truck.max_weight_kg < needs.weight_kg:
        missing.append("weight")
    if truck.max_volume_m3 < needs.volume_m3:
        missing.append("volume")
    if truck.pallet_positions < needs.pallets:
        missing.append("pallets")
    if needs.hazmat and not truck.hazmat_certified:
        missing.append("hazmat")
    return missing


def _in_words(needs: LoadNeeds, code: str) -> str:
    """One shortfall in the reader's language."""
    if code == "equipment":
        return _("equipment %(equipment)s", equipment=needs.equipment)
    if code == "weight":
        return _("weight capacity %(kg)s kg", kg=format(needs.weight_kg, "g"))
    if code == "volume":
        return _("volume capacity %(m3)s m3", m3=format(needs.volume_m3, "g"))
    if code == "pallets":
        return _("%(pallets)s pallet positions", pallets=format(needs.pallets, "g"))
    return _("hazmat certification (classes %(classes)s)", classes=", ".join(needs.hazmat_classes))


def shortfalls(needs: LoadNeeds, truck: Truck) -> list[str]:
    """Each way the truck falls short of the load, in words; empty when it qualifies."""
    return [_in_words(needs, code) for code in _missing(needs, truck)]


def qualified(needs: LoadNeeds, trucks: Iterable[Truck]) -> list[Truck]:
    return [t for t in trucks if not _missing(needs, t)]


def why_none_qualifies(needs: LoadNeeds, trucks: Iterable[Truck]) -> list[str]:
    """The shortfalls across a carrier's trucks, for the refusal message (sorted, unique)."""
    trucks = list(trucks)
    if not trucks:
        return [_("no active vehicle")]
    return sorted({_in_words(needs, code) for truck in trucks for code in _missing(needs, truck)})
