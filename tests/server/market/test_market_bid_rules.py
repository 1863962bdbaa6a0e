"""Tender terms and bid validation, without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from server.market.bid_rules import AuctionState, TenderTerms, check_bid, price_problems, validate_terms
from server.market.refusals import MarketRefused

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
AUCTION = TenderTerms(mode="auction", ceiling_price=1000, min_decrement=10, max_bids_per_carrier=2,
                      deadline=NOW + timedelta(hours=1))


def _reason(terms, state, price):
    with pytest.raises(MarketRefused) as exc:
        check_bid(terms, state, price)
    return exc.value.reason, exc.value.status


@pytest.mark.parametrize("price,problem", [(None, "is required"), (float("nan"), "finite"), (float("inf"), "finite"),
                                           (-1, "positive"), (0, "positive"), (2e6, "absurd"), (True, "finite")])
def test_prices_must_be_sane(price, problem):
    """Missing, non-finite, non-positive, boolean and absurd prices are each named."""
    assert problem in price_problems(price)[0][1]


def test_a_fair_bid_passes():
    """A first bid under the ceiling before the deadline is accepted."""
    check_bid(AUCTION, AuctionState(NOW, 0, None), 990)


@pytest.mark.parametrize("state,price,reason,status", [
    (AuctionState(NOW, 0, None), 1001, "above_ceiling", 422),
    (AuctionState(NOW + timedelta(hours=1), 0, None), 900, "deadline_passed", 409),
    (AuctionState(NOW, 2, 950), 900, "too_many_bids", 409),
    (AuctionState(NOW, 1, 950), 945, "decrement_too_small", 422),
    (AuctionState(NOW, 0, None), -3, "bad_price", 422),
])
def test_bids_breaking_a_rule_are_refused_with_the_reason(state, price, reason, status):
    """Each broken auction rule has its own reason and status."""
    assert _reason(AUCTION, state, price) == (reason, status)


def test_zero_decrement_still_needs_a_lower_bid():
    """With no decrement a carrier's repeat bid must still be strictly lower."""
    terms = TenderTerms(mode="auction", ceiling_price=1000, deadline=NOW + timedelta(hours=1))
    assert _reason(terms, AuctionState(NOW, 1, 900), 900)[0] == "decrement_too_small"
    check_bid(terms, AuctionState(NOW, 1, 900), 899.99)


def test_grab_tenders_take_no_bids():
    """A bid on a grab tender is a conflict."""
    assert _reason(TenderTerms(mode="grab", price=500), AuctionState(NOW, 0, None), 400)[0] == "not_an_auction"


@pytest.mark.parametrize("terms,paths", [
    (TenderTerms(mode="grab"), {"price"}),
    (TenderTerms(mode="auction"), {"ceiling_price", "deadline"}),
    (TenderTerms(mode="auction", ceiling_price=100, deadline=NOW - timedelta(minutes=1)), {"deadline"}),
    (TenderTerms(mode="auction", ceiling_price=100, deadline=NOW + timedelta(days=90)), {"deadline"}),
    (TenderTerms(mode="auction", ceiling_price=100, target_price=150, deadline=NOW + timedelta(hours=1)),
     {"target_price"}),
    (TenderTerms(mode="auction", award_rule="auto_accept", ceiling_price=100, deadline=NOW + timedelta(hours=1)),
     {"target_price"}),
    (TenderTerms(mode="sequential", price=100), {"preferred_carrier_ids"}),
    (TenderTerms(mode="grab", price=100, private=True), {"preferred_carrier_ids"}),
    (TenderTerms(mode="sequential", price=100, private=True, preferred_carrier_ids=(4,)), {"private"}),
    (TenderTerms(mode="grab", price=100, award_rule="score_adjusted"), {"award_rule"}),
    (TenderTerms(mode="grab", price=100, preferred_carrier_ids=(3, 3)), {"preferred_carrier_ids"}),
])
def test_unworkable_terms_name_their_fields(terms, paths):
    """Terms that cannot run are refused (422) with every offending field."""
    with pytest.raises(MarketRefused) as exc:
        validate_terms(terms, NOW)
    assert exc.value.status == 422 and {p for p, _ in exc.value.errors} == paths


def test_workable_terms_pass():
    """Well-formed grab, auction and sequential terms validate."""
    validate_terms(TenderTerms(mode="grab", price=800), NOW)
    validate_terms(AUCTION, NOW)
    validate_terms(TenderTerms(mode="sequential", price=800, preferred_carrier_ids=(4, 5)), NOW)
