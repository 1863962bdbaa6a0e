"""Carriers act on the board: bids in reverse auctions, grabs of fixed-price loads.

Every check runs before anything is written, and the write itself re-checks under the
tender's row lock, so a refused request changes nothing and two racing requests cannot
both get through. A bid reads the tender in one statement (``tender_row``) and checks and
writes in one more (``bid_insert``), so it costs three round trips with the token lookup. A grab
reads the same row without the lock (``tender_for_grab``): a refused grab loads no ORM object.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask_babel import gettext as _

from server.audit.trail import event_row
from server.auth.principal import Principal
from server.extensions import db
from server.market import notify
from server.market.audience import audience, lazy_view, may_act
from server.market.award_rules import Offer, policy_for
from server.market.awarding import atomic, award_in_tx, not_open
from server.market.bid_insert import insert_bid
from server.market.bid_rules import AuctionState, TenderTerms, check_bid
from server.market.refusals import MarketRefused
from server.market.scoring import settings_from, settings_of
from server.market.tender_row import TenderRow
from server.market.tendering import refresh
from server.models import Award, Tender


def terms_of(tender: Tender | TenderRow) -> TenderTerms:
    return TenderTerms(mode=tender.mode, award_rule=tender.award_rule, price=tender.price,
                       ceiling_price=tender.ceiling_price, min_decrement=tender.min_decrement,
                       max_bids_per_carrier=tender.max_bids_per_carrier, target_price=tender.target_price,
                       deadline=tender.deadline, preferred_carrier_ids=tuple(tender.preferred_carrier_ids or ()),
                       offer_timeout_s=tender.offer_timeout_s, private=tender.private)


def _check_carrier(principal: Principal, tender: Tender | TenderRow) -> None:
    if principal.organisation_id == tender.seller_org_id:
        raise MarketRefused("forbidden", "own_load", _("You cannot bid on or grab your own load."))
    if principal.org_kind != "carrier":
        raise MarketRefused("forbidden", "not_a_carrier", _("Only carriers bid on or grab loads."))


def _check_open(tender: Tender, now: datetime) -> None:
    refresh(tender, now)
    if tender.deadline is not None and now >= tender.deadline:
        raise MarketRefused("conflict", "deadline_passed", _("The tender closed at %(deadline)s.",
                                                             deadline=tender.deadline.isoformat()))
    if tender.status != "open":
        raise not_open(tender.status)


def _check_open_row(row: TenderRow, now: datetime) -> None:
    """``_check_open`` for a tender row: the ORM tender is loaded only when the clock must close it."""
    if row.deadline is not None and now >= row.deadline:
        if row.status == "open":
            refresh(db.session.get(Tender, row.id), now)  # the first caller past the deadline finalizes it
        raise MarketRefused("conflict", "deadline_passed", _("The tender closed at %(deadline)s.",
                                                             deadline=row.deadline.isoformat()))
    if row.status != "open":
        raise not_open(row.status)


def place_bid(principal: Principal, row: TenderRow, price: float, now: datetime) -> tuple[dict, Award | None]:
    """Place a bid; a bid at or below an auto-accept target wins the tender at once.

    ``row`` comes from ``tender_for_bid``, in this transaction. A sequential tender's offer is not
    moved on here: it takes no bids whatever its offer, so the refusal does not depend on it.
    """
    _check_carrier(principal, row)
    _check_open_row(row, now)
    terms = terms_of(row)
    check_bid(terms, AuctionState(now, 0, None), price)  # price, mode and ceiling, before any other query
    carrier = principal.organisation_id
    settings = settings_from(row.seller_settings, row.seller_org_id)
    view = row.load_view
    may_act(row, settings, carrier, now, view)
    told = audience(row, settings, now, view)
    policy = policy_for(row.award_rule, row.target_price, settings.score_weight)
    summary = notify.tender_summary(row)
    award = None
    may_win = policy.accepts_now(Offer(0, carrier, price, now))
    with atomic(keep=True):
        # Written with the bid, in its transaction: a bid that rolls back leaves no trace, one that lands always does.
        audit = event_row("bid.placed", "bid", 0, principal=principal, counterparty_org_id=row.seller_org_id,
                          after={"tender_id": row.id, "load_id": row.load_id, "price": price}, at=now)
        bid_id, lead, seen = insert_bid(row.id, terms, carrier, price, now, may_win, audit)
        bid = {"id": bid_id, "tender_id": row.id, "carrier_org_id": carrier, "price": price, "status": "active",
               "created_at": now}
        if may_win:
            award = award_in_tx(row, seen, carrier, price, "auto_accept", now, bid_id=bid_id)
            bid["status"] = "won"
    new_lead = price if lead is None else min(lead, price)
    notify.bid_placed(summary, {"bid_id": bid_id, "carrier_id": carrier, "price": price}, new_lead,
                      lead is None or price < lead, told, previous_lead=lead)
    if award is not None:
        notify.tender_awarded(replace(row, status="awarded", version=seen + 1, closed_at=now), award, told)
    return bid, award


def grab(principal: Principal, row: TenderRow, now: datetime) -> Award:
    """Take a fixed-price load, first come first served: one caller wins, the rest get a conflict.

    ``row`` comes from ``tender_for_grab``. A sequential tender whose offer the clock may have moved
    on is brought up to date through the ORM first; any other tender is judged from the row alone.
    """
    _check_carrier(principal, row)
    if row.mode == "auction":
        raise MarketRefused("conflict", "not_grabbable", _("An auction is won by bidding, not grabbing."))
    if row.status == "open" and row.mode == "sequential" and row.sequential_index < len(row.preferred_carrier_ids or ()):
        return _grab_offer(principal, db.session.get(Tender, row.id), now)
    _check_open_row(row, now)
    seen = row.version
    settings = settings_from(row.seller_settings, row.seller_org_id)
    view = row.load_view
    may_act(row, settings, principal.organisation_id, now, view)
    with atomic(keep=True):
        award = award_in_tx(row, seen, principal.organisation_id, row.price, "first_come", now)
    closed = replace(row, status="awarded", version=seen + 1, closed_at=now)
    told = audience(closed, settings, now, view)  # only the winner gets here, so only it pays for this
    notify.tender_awarded(closed, award, told)
    return award


def _grab_offer(principal: Principal, tender: Tender, now: datetime) -> Award:
    """``grab`` of a sequential tender still being offered, on the ORM tender that ``refresh`` moves on."""
    _check_open(tender, now)
    seen = tender.version
    settings = settings_of(tender.seller_org_id)
    view = lazy_view(tender.load_id)
    may_act(tender, settings, principal.organisation_id, now, view)
    with atomic(keep=True):
        award = award_in_tx(tender, seen, principal.organisation_id, tender.price, "first_come", now)
    db.session.refresh(tender)  # the award changed it behind the ORM's back
    told = audience(tender, settings, now, view)
    notify.tender_awarded(tender, award, told)
    return award
