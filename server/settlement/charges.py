"""What Haul expects a load's freight to cost: linehaul by the agreement or the award, fuel, accessorials.

Pure: ``LoadFacts`` and ``Terms`` in, ``Charge`` lines out. The linehaul is the tender's awarded
price when the load was awarded on the board (the spot rate for that load), otherwise the
agreement's contract rate per trip, per tonne (on :func:`accessorials.freight_weight`) or per km,
never below the agreement's minimum. Fuel is a percentage of the linehaul, fixed or looked up in
the agreement's index table by the pickup month. A cancelled load has no linehaul, only what the
cancellation rule charges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from server.settlement.accessorials import Charge, Schedule, WeightBasis, accessorial_charges, freight_weight
from server.settlement.facts import LoadFacts

BASES = ("trip", "tonne", "km")
KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class FuelIndex:
    """Price bands: the surcharge % of the highest band whose ``from`` price the month's price reaches."""

    bands: tuple[tuple[Decimal, Decimal], ...]  # (from price, pct), ascending
    prices: dict[str, Decimal] = field(default_factory=dict)  # "YYYY-MM" -> index price

    def pct_for(self, month: str) -> Decimal | None:
        price = self.prices.get(month)
        if price is None:
            return None
        pct = Decimal(0)
        for start, band_pct in self.bands:
            if price >= start:
                pct = band_pct
        return pct


@dataclass(frozen=True)
class Terms:
    basis: str = "trip"
    rate: Decimal = Decimal(0)
    minimum: Decimal = Decimal(0)
    fuel_pct: Decimal | None = None
    fuel_index: FuelIndex | None = None
    schedule: Schedule = field(default_factory=Schedule)
    agreement_ref: dict | None = None


def linehaul(facts: LoadFacts, terms: Terms, weight: WeightBasis) -> Charge:
    if facts.award_price is not None:
        return Charge("linehaul", f"Freight {facts.reference}: the awarded spot price", Decimal(1), "trip",
                      facts.award_price, (facts.award_ref or {"type": "award", "load_id": facts.load_id},))
    source = (terms.agreement_ref or {"type": "agreement"},)
    if terms.basis == "tonne":
        tonnes = (weight.kg / KG_PER_TONNE).quantize(Decimal("0.001"))
        quantity, unit, what = tonnes, "t", f"{tonnes} t ({weight.source.replace('_', ' ')})"
        source = source + weight.evidence
    elif terms.basis == "km":
        quantity, unit, what = facts.distance_km.quantize(Decimal("0.1")), "km", f"{facts.distance_km:.1f} km"
    else:
        quantity, unit, what = Decimal(1), "trip", "per trip"
    if quantity * terms.rate < terms.minimum:
        return Charge("linehaul", f"Freight {facts.reference}: minimum charge ({what} at {terms.rate}/{unit})",
                      Decimal(1), "minimum", terms.minimum, source, {"weight_source": weight.source})
    notes = {"weight_source": weight.source, "outside_tolerance": weight.outside_tolerance,
             "difference_pct": str(weight.difference_pct)} if terms.basis == "tonne" else {}
    return Charge("linehaul", f"Freight {facts.reference}: {what}", quantity, unit, terms.rate, source, notes)


def fuel(facts: LoadFacts, terms: Terms, base: Charge) -> list[Charge]:
    month = facts.pickup_at.strftime("%Y-%m")
    pct = terms.fuel_pct
    evidence = (terms.agreement_ref or {"type": "agreement"},)
    if terms.fuel_index is not None:
        pct = terms.fuel_index.pct_for(month)
        evidence = evidence + ({"type": "fuel_index", "month": month,
                                "price": str(terms.fuel_index.prices.get(month))},)
    if not pct:
        return []
    return [Charge("fuel", f"Fuel surcharge {pct}% of the freight ({month})", pct / 100, "share",
                   base.raw_amount, evidence, {"pct": str(pct), "month": month})]


def expected_charges(facts: LoadFacts, terms: Terms) -> list[Charge]:
    """Every charge Haul expects for the load, in bill order."""
    if facts.status == "cancelled":
        return accessorial_charges(facts, terms.schedule)
    weight = freight_weight(facts.tickets, facts.ordered_kg, terms.schedule.weight_tolerance_pct)
    base = linehaul(facts, terms, weight)
    return [base, *fuel(facts, terms, base), *accessorial_charges(facts, terms.schedule)]
