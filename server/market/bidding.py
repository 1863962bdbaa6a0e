"""Carriers act on the board: bids in reverse auctions, grabs of fixed-price loads.

Every check runs before anything is written, and the write itself re-checks under the
tender's row lock, so a refused request changes nothing and two racing requests cannot
both get through.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select, update

from server.auth.principal import Principal
from server.extensions import db
from server.market import notify
from server.market.audience import audience, lazy_view, may_act
from server.market.award_rules import Offer, policy_for
from server.market.awarding import atomic, award_in_tx, current_status, not_open
from server.market.bid_rules import AuctionState, TenderTerms, check_bid
from server.market.refusals import MarketRefused
from server.market.scoring import settings_of
from server.market.tendering import refresh
from server.models import Award, Bid, Tender


def terms_of(tender: Tender) -> TenderTerms:
    return TenderTerms(mode=tender.mode, award_rule=tender.award_rule, price=tender.price,
                       ceiling_price=tender.ceiling_price, min_decrement=tender.min_decrement,
                       max_bids_per_carrier=tender.max_bids_per_carrier, target_price=tender.target_price,
                       deadline=tender.deadline, preferred_carrier_ids=tuple(tender.preferred_carrier_ids or ()),
                       offer_timeout_s=tender.offer_timeout_s, private=tender.private)


def _check_carrier(principal: Principal, tender: Tender) -> None:
    if principal.organisation_id == tender.seller_org_id:
        raise MarketRefused("forbidden", "own_load", "You cannot bid on or grab your own load.")
    if principal.org_kind != "carrier":
        raise MarketRefused("forbidden", "not_a_carrier", "Only carriers bid on or grab loads.")


def _check_open(tender: Tender, now: datetime) -> None:
    refresh(tender, now)
    if tender.deadline is not None and now >= tender.deadline:
        raise MarketRefused("conflict", "deadline_passed", f"The tender closed at {tender.deadline.isoformat()}.")
    if tender.status != "open":
        raise not_open(tender.status)


def _lock(tender_id: int) -> int:
    """Take the tender's row lock for this transaction and return its version; 409 when not open.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite has no row locks, so a no-op UPDATE takes the
    database write lock instead. Either way the next statement sees every bid committed before.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Tender).where(Tender.id == tender_id, Tender.status == "open")
                           .values(version=Tender.version).execution_options(synchronize_session=False))
    version = db.session.scalar(select(Tender.version).where(Tender.id == tender_id, Tender.status == "open")
                                .with_for_update())
    if version is None:
        raise not_open(current_status(tender_id))
    return version


def place_bid(principal: Principal, tender: Tender, price: float, now: datetime) -> tuple[Bid, Award | None]:
    """Place a bid; a bid at or below an auto-accept target wins the tender at once."""
    _check_carrier(principal, tender)
    _check_open(tender, now)
    terms = terms_of(tender)
    check_bid(terms, AuctionState(now, 0, None), price)  # price, mode and ceiling, before any other query
    carrier = principal.organisation_id
    settings = settings_of(tender.seller_org_id)
    view = lazy_view(tender.load_id)
    may_act(tender, settings, carrier, now, view)
    told = audience(tender, settings, now, view)
    policy = policy_for(tender.award_rule, tender.target_price, settings.score_weight)
    summary = notify.tender_summary(tender)  # taken now: the commit expires the row
    award = None
    with atomic(keep=True):
        seen = _lock(tender.id)
        mine = Bid.carrier_org_id == carrier
        count, best, lead = db.session.execute(
            select(func.count(case((mine, 1))), func.min(case((mine, Bid.price))), func.min(Bid.price))
            .where(Bid.tender_id == tender.id, Bid.status == "active")).one()
        check_bid(terms, AuctionState(now, count, best), price)
        bid = Bid(tender_id=tender.id, carrier_org_id=carrier, price=price, status="active", created_at=now)
        db.session.add(bid)
        db.session.flush()
        placed = {"bid_id": bid.id, "carrier_id": carrier, "price": price}
        if policy.accepts_now(Offer(bid.id, carrier, price, now)):
            award = award_in_tx(tender, seen, carrier, price, "auto_accept", now, bid_id=bid.id)
    new_lead = price if lead is None else min(lead, price)
    notify.bid_placed(summary, placed, new_lead, lead is None or price < lead, told)
    if award is not None:
        db.session.refresh(tender)  # the award changed it behind the ORM's back
        notify.tender_awarded(tender, award, told)
    return bid, award


def grab(principal: Principal, tender: Tender, now: datetime) -> Award:
    """Take a fixed-price load, first come first served: one caller wins, the rest get a conflict."""
    _check_carrier(principal, tender)
    if tender.mode == "auction":
        raise MarketRefused("conflict", "not_grabbable", "An auction is won by bidding, not grabbing.")
    _check_open(tender, now)
    seen = tender.version
    settings = settings_of(tender.seller_org_id)
    view = lazy_view(tender.load_id)
    may_act(tender, settings, principal.organisation_id, now, view)
    with atomic(keep=True):
        award = award_in_tx(tender, seen, principal.organisation_id, tender.price, "first_come", now)
    db.session.refresh(tender)  # the award changed it behind the ORM's back
    told = audience(tender, settings, now, view)  # only the winner gets here, so only it pays for this
    notify.tender_awarded(tender, award, told)
    return award
