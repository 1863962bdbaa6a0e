"""Money done one way: ``Decimal`` amounts in an ISO 4217 currency, rounded half up to its minor unit.

* Amounts are never floats: JSON carries them as strings (``"1234.50"``), the database as
  ``Numeric``, and arithmetic happens on ``Decimal``.
* Rounding is explicit and happens in one place, :func:`round_money`: ROUND_HALF_UP to the
  currency's minor unit (2 decimals for CNY, EUR and USD, 0 for JPY, 3 for KWD), as CLDR
  (through Babel) gives it. Line amounts are rounded once each; taxes are computed per rate on
  the sum of a document's rounded lines and rounded once per rate (as EU VAT invoices do), so a
  document's total is always exactly the sum of its lines and tax lines.
* Rates and unit prices may carry up to ``RATE_DECIMALS`` (4) decimals (a price per km or per
  tonne); an amount given for a document must fit its currency's minor unit.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies
from flask_babel import gettext as _

RATE_DECIMALS = 4
ZERO = Decimal("0")
_CODE = re.compile(r"^[A-Z]{3}$")
_NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,12})?$")
_KNOWN = frozenset(list_currencies()) - {"XXX", "XTS"}  # "no currency" and "testing" are not money


class MoneyError(ValueError):
    """A bad amount or currency, with the message a field error shows."""


def check_currency(code) -> str:
    if not isinstance(code, str) or not _CODE.match(code) or code not in _KNOWN:
        raise MoneyError(_("must be an ISO 4217 currency code such as CNY, EUR or USD"))
    return code


@lru_cache(maxsize=512)
def minor_unit(currency: str) -> int:
    return get_currency_precision(check_currency(currency))


@lru_cache(maxsize=16)
def quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half up to the currency's minor unit (the one rounding rule of settlement)."""
    return Decimal(amount).quantize(quantum(minor_unit(currency)), rounding=ROUND_HALF_UP)


def decimals_of(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def parse_decimal(text, *, max_decimals: int, allow_negative: bool = False) -> Decimal:
    """A decimal from JSON text (or an integer); floats are refused, since they are not exact."""
    if isinstance(text, bool) or isinstance(text, float):
        raise MoneyError(_('must be a decimal number written as a string, e.g. "1234.50"'))
    if isinstance(text, int):
        text = str(text)
    if not isinstance(text, str) or not _NUMBER.match(text.strip()):
        raise MoneyError(_('must be a decimal number written as a string, e.g. "1234.50"'))
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:  # the pattern makes this unreachable; kept for safety
        raise MoneyError(_("is not a decimal number")) from exc
    if decimals_of(value) > max_decimals:
        raise MoneyError(_("has more than %(max_decimals)s decimals", max_decimals=max_decimals))
    if value < 0 and not allow_negative:
        raise MoneyError(_("must not be negative"))
    return value


def parse_amount(text, currency: str, *, allow_negative: bool = False) -> Decimal:
    """An amount of ``currency``: refused when it has more decimals than the currency's minor unit."""
    value = parse_decimal(text, max_decimals=minor_unit(currency), allow_negative=allow_negative)
    return round_money(value, currency)


def text(amount: Decimal | None, currency: str) -> str | None:
    """An amount as JSON text with exactly the currency's decimals (``"1234.50"``)."""
    return None if amount is None else str(round_money(amount, currency))


def percent_of(base: Decimal, pct: Decimal) -> Decimal:
    return base * pct / Decimal(100)
