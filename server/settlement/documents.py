"""A freight document's arithmetic: rounded lines, tax lines per rate, totals. Pure.

Each line's amount is rounded once (``money.round_money``); tax is computed per rate on the sum of
the lines at that rate and rounded once per rate; the net is the sum of the lines and the total is
the net plus the tax lines. So every document's lines sum to its net and its total, to the cent,
by construction (``tests/server/settlement/test_settlement_documents.py`` checks it with Hypothesis).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from server.settlement.accessorials import Charge
from server.settlement.money import ZERO, percent_of, round_money


@dataclass(frozen=True)
class TaxLine:
    rate_pct: Decimal
    base: Decimal
    amount: Decimal

    def view(self, currency: str) -> dict:
        return {"rate_pct": format(self.rate_pct.normalize(), "f"), "base": str(round_money(self.base, currency)),
                "amount": str(round_money(self.amount, currency))}


@dataclass(frozen=True)
class Totals:
    net: Decimal
    taxes: tuple[TaxLine, ...]
    tax: Decimal
    total: Decimal


def line_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    return round_money(quantity * unit_price, currency)


def charge_amount(charge: Charge, currency: str) -> Decimal:
    return line_amount(charge.quantity, charge.unit_price, currency)


def totals(lines: Iterable[tuple[Decimal, Decimal]], currency: str) -> Totals:
    """Totals of (rounded amount, tax rate %) lines."""
    by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    net = ZERO
    for amount, rate in lines:
        net += amount
        by_rate[Decimal(rate)] += amount
    taxes = tuple(TaxLine(rate, base, round_money(percent_of(base, rate), currency))
                  for rate, base in sorted(by_rate.items()) if rate > 0)
    tax = sum((t.amount for t in taxes), ZERO)
    return Totals(round_money(net, currency), taxes, round_money(tax, currency), round_money(net + tax, currency))
