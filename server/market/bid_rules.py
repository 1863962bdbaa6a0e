"""Tender terms and bid validation: pure rules, no database.

A reverse auction has a deadline, a ceiling price, a minimum decrement and at most N bids
per carrier. A carrier's next bid must undercut its own previous bid by the decrement (so a
better-scored carrier may still win a score-adjusted award without being the cheapest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.market.refusals import MarketRefused

MODES = ("grab", "auction", "sequential")
RULES = ("lowest_price", "score_adjusted", "auto_accept")
# A freight price above this is a typo (or an attack), not a quote.
MAX_PRICE = 1_000_000.0
MAX_BIDS_PER_CARRIER = 50
MAX_TENDER_DAYS = 60


@dataclass(frozen=True)
class TenderTerms:
    mode: str
    award_rule: str = "lowest_price"
    price: float | None = None
    ceiling_price: float | None = None
    min_decrement: float = 0.0
    max_bids_per_carrier: int = 3
    target_price: float | None = None
    deadline: datetime | None = None
    preferred_carrier_ids: tuple[int, ...] = ()
    offer_timeout_s: int = 900
    private: bool = False


def price_problems(price: float | None, path: str = "price") -> list[tuple[str, str]]:
    """Why a price cannot be a freight price: missing, not finite, not positive or absurd."""
    if price is None:
        return [(path, "is required")]
    if isinstance(price, bool) or not isinstance(price, int | float) or not math.isfinite(price):
        return [(path, "must be a finite number")]
    if price <= 0:
        return [(path, "must be positive")]
    if price > MAX_PRICE:
        return [(path, f"is absurd (more than {MAX_PRICE:,.0f})")]
    return []


def validate_terms(terms: TenderTerms, now: datetime) -> None:
    """Refuse (422) terms that cannot run: each problem names its field."""
    errors: list[tuple[str, str]] = []
    if terms.mode not in MODES:
        errors.append(("mode", f"must be one of {', '.join(MODES)}"))
    if terms.award_rule not in RULES:
        errors.append(("award_rule", f"must be one of {', '.join(RULES)}"))
    if terms.mode in ("grab", "sequential"):
        errors += price_problems(terms.price, "price")
    if terms.mode == "auction":
        errors += price_problems(terms.ceiling_price, "ceiling_price")
        if terms.deadline is None:
            errors.append(("deadline", "an auction needs a deadline"))
        if not (1 <= terms.max_bids_per_carrier <= MAX_BIDS_PER_CARRIER):
            errors.append(("max_bids_per_carrier", f"must be 1 to {MAX_BIDS_PER_CARRIER}"))
        if not (0 <= terms.min_decrement <= MAX_PRICE) or not math.isfinite(terms.min_decrement):
            errors.append(("min_decrement", "must be zero or positive"))
        if terms.award_rule == "auto_accept" and terms.target_price is None:
            errors.append(("target_price", "auto_accept needs a target price"))
        if terms.target_price is not None:
            errors += price_problems(terms.target_price, "target_price")
            if terms.ceiling_price is not None and terms.target_price > terms.ceiling_price:
                errors.append(("target_price", "must not be above the ceiling price"))
    elif terms.target_price is not None or terms.award_rule != "lowest_price":
        errors.append(("award_rule", "award rules and target prices apply to auctions only"))
    if terms.deadline is not None:
        if terms.deadline <= now:
            errors.append(("deadline", "must be in the future"))
        elif terms.deadline > now + timedelta(days=MAX_TENDER_DAYS):
            errors.append(("deadline", f"must be within {MAX_TENDER_DAYS} days"))
    if terms.mode == "sequential":
        if not terms.preferred_carrier_ids:
            errors.append(("preferred_carrier_ids", "a sequential tender needs preferred carriers"))
        if not (30 <= terms.offer_timeout_s <= 7 * 86400):
            errors.append(("offer_timeout_s", "must be 30 s to 7 days"))
    if terms.mode == "sequential" and terms.private:
        errors.append(("private", "a sequential tender is private to its preferred carriers until it opens to "
                                  "the board; 'private' is for grab and auction tenders"))
    elif terms.private and not terms.preferred_carrier_ids:
        errors.append(("preferred_carrier_ids", "a private tender needs preferred carriers"))
    if len(set(terms.preferred_carrier_ids)) != len(terms.preferred_carrier_ids):
        errors.append(("preferred_carrier_ids", "must not repeat a carrier"))
    if errors:
        raise MarketRefused("invalid", "invalid_terms", "The tender terms are invalid.", errors)


@dataclass(frozen=True)
class AuctionState:
    """What a new bid is checked against: the clock and the carrier's own earlier bids."""

    now: datetime
    my_bid_count: int
    my_best_price: float | None


def check_bid(terms: TenderTerms, state: AuctionState, price: float) -> None:
    """Refuse a bid that breaks the auction's rules; the order gives the most useful reason first."""
    errors = price_problems(price)
    if errors:
        raise MarketRefused("invalid", "bad_price", "The price is not acceptable.", errors)
    if terms.mode != "auction":
        raise MarketRefused("conflict", "not_an_auction", f"A {terms.mode} tender takes no bids; grab it.")
    if terms.deadline is not None and state.now >= terms.deadline:
        raise MarketRefused("conflict", "deadline_passed",
                            f"The auction closed at {terms.deadline.isoformat()}.")
    if terms.ceiling_price is not None and price > terms.ceiling_price:
        raise MarketRefused("invalid", "above_ceiling", "The bid is above the ceiling price.",
                            [("price", f"must be at most the ceiling {terms.ceiling_price:.2f}")])
    if state.my_bid_count >= terms.max_bids_per_carrier:
        raise MarketRefused("conflict", "too_many_bids",
                            f"Each carrier may bid at most {terms.max_bids_per_carrier} times on this tender.")
    if state.my_best_price is not None:
        limit = state.my_best_price - terms.min_decrement
        if price > limit or (terms.min_decrement == 0 and price >= state.my_best_price):
            raise MarketRefused("invalid", "decrement_too_small", "A new bid must undercut your previous one.",
                                [("price", f"must be below {state.my_best_price:.2f} by at least "
                                           f"{terms.min_decrement:.2f}")])
