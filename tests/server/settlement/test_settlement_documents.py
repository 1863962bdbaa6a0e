"""Documents: every document's lines and tax lines sum to its total, to the cent (property test)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from server.settlement.documents import line_amount, totals
from server.settlement.money import round_money

RATES = st.sampled_from([Decimal("0"), Decimal("6"), Decimal("9"), Decimal("13"), Decimal("19"), Decimal("7.7")])
LINES = st.lists(st.tuples(st.decimals(min_value=0, max_value=10_000, places=3),
                           st.decimals(min_value=0, max_value=5_000, places=4), RATES), min_size=1, max_size=30)


@given(LINES, st.sampled_from(["EUR", "CNY", "JPY", "KWD"]))
def test_lines_sum_to_the_total(lines, currency):
    """Net = sum of rounded lines; total = net + sum of tax lines; every figure on the currency's minor unit."""
    amounts = [(line_amount(q, p, currency), rate) for q, p, rate in lines]
    result = totals(amounts, currency)
    assert result.net == sum(a for a, _ in amounts)
    assert result.tax == sum(t.amount for t in result.taxes)
    assert result.total == result.net + result.tax
    for figure in (result.net, result.tax, result.total, *(t.amount for t in result.taxes)):
        assert figure == round_money(figure, currency)


def test_vat_is_rounded_once_per_rate():
    """Three lines of 0.05 at 13 % VAT: tax on the 0.15 base (0.0195 -> 0.02), not per line (3 x 0.01)."""
    result = totals([(Decimal("0.05"), Decimal("13"))] * 3, "CNY")
    assert result.tax == Decimal("0.02") and result.total == Decimal("0.17")
