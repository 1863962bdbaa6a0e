"""Award policies: lowest price, score-adjusted and auto-accept."""

from datetime import UTC, datetime, timedelta

from server.market.award_rules import (
    AutoAccept,
    AwardProblem,
    LowestPrice,
    Offer,
    ScoreAdjusted,
    lead,
    policy_for,
    solve,
)

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def offer(bid_id, price, score=0.8, minutes=0, carrier=None):
    return Offer(bid_id, carrier or bid_id, price, T0 + timedelta(minutes=minutes), score)


def test_lowest_price_wins_and_ties_go_to_the_earlier_bid():
    """The cheapest offer wins; of two equal offers the earlier one."""
    offers = (offer(1, 900, minutes=5), offer(2, 850, minutes=3), offer(3, 850, minutes=1))
    assert solve(AwardProblem(offers), LowestPrice()).winner.bid_id == 3


def test_score_adjusted_can_prefer_a_dearer_but_better_carrier():
    """950 from a 0.2 carrier costs more than 1000 from a 1.0 carrier at weight 0.5."""
    offers = (offer(1, 950, score=0.2), offer(2, 1000, score=1.0))
    assert solve(AwardProblem(offers), ScoreAdjusted(0.5)).winner.bid_id == 2
    assert solve(AwardProblem(offers), LowestPrice()).winner.bid_id == 1


def test_auto_accept_takes_offers_at_or_below_the_target():
    """The target accepts at once at or below it; at the deadline the base rule ranks."""
    policy = AutoAccept(800, then=LowestPrice())
    assert policy.accepts_now(offer(1, 800)) and not policy.accepts_now(offer(2, 800.01))
    assert solve(AwardProblem((offer(1, 900), offer(2, 850))), policy).winner.bid_id == 2


def test_offers_above_the_ceiling_never_win():
    """An offer over the ceiling is left out; with none left there is no winner."""
    decision = solve(AwardProblem((offer(1, 1200),), ceiling_price=1000), LowestPrice())
    assert decision.winner is None and decision.ranking == ()


def test_policy_for_reads_the_tender_rule():
    """Rule names map to policies; a target price switches on auto-accept."""
    assert policy_for("lowest_price").name == "lowest_price"
    assert policy_for("score_adjusted", score_weight=0.3) == ScoreAdjusted(0.3)
    auto = policy_for("score_adjusted", target_price=700)
    assert auto.name == "auto_accept" and auto.then == ScoreAdjusted(0.5)


def test_lead_is_the_lowest_offer():
    """The board's lead is the cheapest offer, or None without offers."""
    assert lead([offer(1, 900), offer(2, 870)]).price == 870 and lead([]) is None
