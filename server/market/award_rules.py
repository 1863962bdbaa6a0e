"""Award rules as small policies: lowest price, price adjusted by carrier score, auto-accept.

``solve(problem, policy)`` ranks the offers of an auction and names the winner. The
database guarantees that only one award is ever stored; these rules only decide who.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

DEFAULT_SCORE = 0.8  # a carrier with no history ranks like a decent one, not a perfect one


@dataclass(frozen=True)
class Offer:
    bid_id: int
    carrier_id: int
    price: float
    placed_at: datetime
    score: float = DEFAULT_SCORE


class AwardPolicy(Protocol):
    """Orders offers best first; ``accepts_now`` may award a single offer at once."""

    name: str

    def key(self, offer: Offer) -> tuple: ...

    def accepts_now(self, offer: Offer) -> bool: ...


def _tiebreak(offer: Offer) -> tuple:
    return (offer.placed_at, offer.bid_id)  # equal offers: the earlier bid wins


@dataclass(frozen=True)
class LowestPrice:
    name: str = "lowest_price"

    def key(self, offer: Offer) -> tuple:
        return (offer.price, *_tiebreak(offer))

    def accepts_now(self, offer: Offer) -> bool:
        return False


@dataclass(frozen=True)
class ScoreAdjusted:
    """Price times (1 + weight x (1 - score)): a perfect carrier pays no penalty."""

    weight: float = 0.5
    name: str = "score_adjusted"

    def effective(self, offer: Offer) -> float:
        score = min(max(offer.score, 0.0), 1.0)
        return offer.price * (1.0 + self.weight * (1.0 - score))

    def key(self, offer: Offer) -> tuple:
        return (self.effective(offer), offer.price, *_tiebreak(offer))

    def accepts_now(self, offer: Offer) -> bool:
        return False


@dataclass(frozen=True)
class AutoAccept:
    """The first offer at or below the target wins at once; otherwise ``then`` decides at the deadline."""

    target: float
    then: AwardPolicy = LowestPrice()
    name: str = "auto_accept"

    def key(self, offer: Offer) -> tuple:
        return self.then.key(offer)

    def accepts_now(self, offer: Offer) -> bool:
        return offer.price <= self.target


@dataclass(frozen=True)
class AwardProblem:
    offers: tuple[Offer, ...]
    ceiling_price: float | None = None


@dataclass(frozen=True)
class AwardDecision:
    winner: Offer | None
    ranking: tuple[Offer, ...]
    rule: str


def solve(problem: AwardProblem, policy: AwardPolicy) -> AwardDecision:
    """Rank the offers under the ceiling by the policy; the first is the winner (None: no offer)."""
    valid = [o for o in problem.offers if problem.ceiling_price is None or o.price <= problem.ceiling_price]
    ranking = tuple(sorted(valid, key=policy.key))
    return AwardDecision(ranking[0] if ranking else None, ranking, policy.name)


def policy_for(rule: str, target_price: float | None = None, score_weight: float = 0.5) -> AwardPolicy:
    """The policy a tender's ``award_rule`` names; any target price turns on auto-accept."""
    base: AwardPolicy = ScoreAdjusted(score_weight) if rule == "score_adjusted" else LowestPrice()
    if rule == "auto_accept" or target_price is not None:
        return AutoAccept(target_price if target_price is not None else 0.0, then=base)
    return base


def lead(offers: Sequence[Offer]) -> Offer | None:
    """The lowest-priced offer, shown on the board as the current lead."""
    return min(offers, key=LowestPrice().key, default=None)
