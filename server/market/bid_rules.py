"""Tender terms and bid validation: pure rules, no database.

A reverse auction has a deadline, a ceiling price, a minimum decrement and at most N bids
per carrier. A carrier's next bid must undercut its own previous bid by the decrement (so a
better-scored carrier may still win a score-adjusted award without being the cheapest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

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
        return [(path, _("is required"))]
    if isinstance(price, bool) or not isinstance(price, int | float) or not math.isfinite(price):
        return [(path, _("must be a finite number"))]
    if price <= 0:
        return [(path, _("must be positive"))]
    if price > MAX_PRICE:
        return [(path, _("is absurd (more than %(MAX_PRICE)s)", MAX_PRICE=format(MAX_PRICE, ',.0f')))]
    return []


def validate_terms(terms: TenderTerms, now: datetime) -> None:
    """Refuse (422) terms that cannot run: each problem names its field."""
    errors: list[tuple[str, str]] = []
    if terms.mode not in MODES:
        errors.append(("mode", _("must be one of %(value)s", value=', '.join(MODES))))
    if terms.award_rule not in RULES:
        errors.append(("award_rule", _("must be one of %(value)s", value=', '.join(RULES))))
    if terms.mode in ("grab", "sequential"):
        errors += price_problems(terms.price, "price")
    if terms.mode == "auction":
        errors += price_problems(terms.ceiling_price, "ceiling_price")
        if terms.deadline is None:
            errors.append(("deadline", _("an auction needs a deadline")))
        if not (1 <= terms.max_bids_per_carrier <= MAX_BIDS_PER_CARRIER):
            errors.append(("max_bids_per_carrier", _("must be 1 to %(MAX_BIDS_PER_CARRIER)s",
                                                     MAX_BIDS_PER_CARRIER=MAX_BIDS_PER_CARRIER)))
        if not (0 <= terms.min_decrement <= MAX_PRICE) or not math.isfinite(terms.min_decrement):
            errors.append(("min_decrement", _("must be zero or positive")))
        if terms.award_rule == "auto_accept" and terms.target_price is None:
            errors.append(("target_price", _("auto_accept needs a target price")))
        if terms.target_price is not None:
            errors += price_problems(terms.target_price, "target_price")
            if terms.ceiling_price is not None and terms.target_price > terms.ceiling_price:
                errors.append(("target_price", _("must not be above the ceiling price")))
    elif terms.target_price is not None or terms.award_rule != "lowest_price":
        errors.append(("award_rule", _("award rules and target prices apply to auctions only")))
    if terms.deadline is not None:
        if terms.deadline <= now:
            errors.append(("deadline", _("must be in the future")))
        elif terms.deadline > now + timedelta(days=MAX_TENDER_DAYS):
            errors.append(("deadline", _("must be within %(MAX_TENDER_DAYS)s days",
                                         MAX_TENDER_DAYS=MAX_TENDER_DAYS)))
    if terms.mode == "sequential":
        if not terms.preferred_carrier_ids:
            errors.append(("preferred_carrier_ids", _("a sequential tender needs preferred carriers")))
        if not (30 <= terms.offer_timeout_s <= 7 * 86400):
            errors.append(("offer_timeout_s", _("must be 30 s to 7 days")))
    if terms.mode == "sequential" and terms.private:
        errors.append(("private", _("a sequential tender is private to its preferred carriers until it opens "
                                    "to the board; 'private' is for grab and auction tenders")))
    elif terms.private and not terms.preferred_carrier_ids:
        errors.append(("preferred_carrier_ids", _("a private tender needs preferred carriers")))
    if len(set(terms.preferred_carrier_ids)) != len(terms.preferred_carrier_ids):
        errors.append(("preferred_carrier_ids", _("must not repeat a carrier")))
    if errors:
        raise MarketRefused("invalid", "invalid_terms", _("The tender terms are invalid."), errors)


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
        raise MarketRefused("invalid", "bad_price", _("The price is not acceptable."), errors)
    if terms.mode != "auction":
        raise MarketRefused("conflict", "not_an_auction", _("A %(mode)s tender takes no bids; grab it.",
                                                            mode=terms.mode))
    if terms.deadline is not None and state.now >= terms.deadline:
        raise MarketRefused("conflict", "deadline_passed",
                            _("The auction closed at %(deadline)s.", deadline=terms.deadline.isoformat()))
    if terms.ceiling_price is not None and price > terms.ceiling_price:
        raise MarketRefused("invalid", "above_ceiling", _("The bid is above the ceiling price."),
                            [("price", _("must be at most the ceiling %(ceiling_price)s",
                                         ceiling_price=format(terms.ceiling_price, '.2f')))])
    if state.my_bid_count >= terms.max_bids_per_carrier:
        raise MarketRefused("conflict", "too_many_bids",
                            _("Each carrier may bid at most %(max_bids_per_carrier)s times on this tender.",
                              max_bids_per_carrier=terms.max_bids_per_carrier))
    if state.my_best_price is not None:
        limit = state.my_best_price - terms.min_decrement
        if price > limit or (terms.min_decrement == 0 and price >= state.my_best_price):
            raise MarketRefused("invalid", "decrement_too_small",
                                _("A new bid must undercut your previous one."),
                                [("price", _("must be below %(my_best_price)s by at least %(min_decrement)s",
                                             my_best_price=format(state.my_best_price, ".2f"),
                                             min_decrement=format(terms.min_decrement, ".2f")))])
