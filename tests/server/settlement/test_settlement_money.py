"""Money: currencies by ISO 4217, amounts as decimal text, rounding half up to the currency's minor unit."""

from decimal import Decimal

import pytest

from server.settlement import money


def test_round_half_up_to_the_minor_unit():
    """0.005 rounds up to a cent in EUR; JPY has no minor unit; KWD has three decimals."""
    assert money.round_money(Decimal("0.005"), "EUR") == Decimal("0.01")
    assert money.round_money(Decimal("2.675"), "CNY") == Decimal("2.68")
    assert money.round_money(Decimal("10.5"), "JPY") == Decimal("11")
    assert money.round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")


@pytest.mark.parametrize("bad", [1.5, "1.234", "abc", "", True, None, "1e3", "-5"])
def test_bad_amounts_are_refused(bad):
    """Floats, too many decimals, non-numbers and negatives are refused for a EUR amount."""
    with pytest.raises(money.MoneyError):
        money.parse_amount(bad, "EUR")


def test_amount_text_keeps_the_currency_decimals():
    """Amounts leave as text with exactly the currency's decimals."""
    assert money.parse_amount("12", "EUR") == Decimal("12.00")
    assert money.text(Decimal("12"), "EUR") == "12.00"
    assert money.parse_amount("-3.10", "EUR", allow_negative=True) == Decimal("-3.10")


@pytest.mark.parametrize("bad", ["eur", "EURO", "XXX", "ABC", 978])
def test_unknown_currencies_are_refused(bad):
    """Lower case, unknown codes and the 'no currency' code are refused."""
    with pytest.raises(money.MoneyError):
        money.check_currency(bad)
