"""Putting loads on the board and moving tenders along in time.

``refresh`` applies everything the clock has decided since the last look (sequential offers
that timed out, deadlines that passed); it runs lazily before any read or action, and from
the periodic ``sweep``. Every change is a conditional UPDATE on the tender's version, so
concurrent refreshers agree and only one of them writes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from server.audit.trail import record
from server.auth.principal import Principal
from server.extensions import db
from server.market import notify, truck_needed
from server.market.audience import audience, compute_audience, lazy_view, load_view, phase
from server.market.awarding import atomic, close_in_tx, finalize_auction, not_open
from server.market.bid_rules import TenderTerms, validate_terms
from server.market.refusals import MarketRefused
from server.market.schedule import OfferState, advance_offer, decline_offer
from server.market.scoring import settings_of
from server.market.states import check
from server.models import Load, Organisation, Tender

log = logging.getLogger("haul.market.tendering")


def told_now(tender: Tender, now: datetime) -> set[int]:
    """The carriers to tell of a change to this tender now (its current audience)."""
    return audience(tender, settings_of(tender.seller_org_id), now, lazy_view(tender.load_id))


def _check_preferred(ids: tuple[int, ...]) -> None:
    if not ids:
        return
    found = set(db.session.scalars(select(Organisation.id).where(
        Organisation.id.in_(ids), Organisation.kind == "carrier", Organisation.active.is_(True))))
    errors = [(f"preferred_carrier_ids/{i}", _("unknown carrier")) for i, c in enumerate(ids) if c not in found]
    if errors:
        raise MarketRefused("invalid", "invalid_terms", _("The tender terms are invalid."), errors)


def open_tender(principal: Principal, load: Load, terms: TenderTerms, radius_km: float, now: datetime) -> Tender:
    """Put a draft load of the caller's on the board under ``terms``."""
    if load.seller_org_id != principal.organisation_id:
        raise MarketRefused("forbidden", "not_seller", _("Only the load's seller can tender it."))
    if load.status == "awaiting_approval":
        raise MarketRefused("conflict", "awaiting_approval",
                            _("The load's plan awaits the seller's approval; it can be tendered once approved."))
    check("load", load.status, "tendered")
    validate_terms(terms, now)
    _check_preferred(terms.preferred_carrier_ids)
    sequential = terms.mode == "sequential"
    tender = Tender(load_id=load.id, seller_org_id=load.seller_org_id, mode=terms.mode, status="open",
                    award_rule=terms.award_rule, price=terms.price, ceiling_price=terms.ceiling_price,
                    min_decrement=terms.min_decrement, max_bids_per_carrier=terms.max_bids_per_carrier,
                    target_price=terms.target_price, deadline=terms.deadline,
                    # a sequential tender stays private to its preferred carriers until it reaches the board
                    private=terms.private or sequential, preferred_carrier_ids=list(terms.preferred_carrier_ids),
                    sequential_index=0, offer_timeout_s=terms.offer_timeout_s,
                    offer_started_at=now if sequential else None, radius_km=radius_km, created_at=now)
    with atomic():
        moved = db.session.execute(update(Load).where(Load.id == load.id, Load.status == "draft")
                                   .values(status="tendered").execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            raise MarketRefused("conflict", "illegal_transition", _("The load is no longer a draft."))
        db.session.add(tender)
        db.session.flush()
        record("tender.opened", "tender", tender.id, principal=principal,
               after={"load_id": load.id, "mode": tender.mode, "price": tender.price,
                      "ceiling_price": tender.ceiling_price})
    notify.tender_opened(tender, told_now(tender, now))
    return tender


def cancel_tender(principal: Principal, tender: Tender, now: datetime) -> Tender:
    """The seller withdraws an open tender; the load goes back to draft."""
    if tender.seller_org_id != principal.organisation_id:
        raise MarketRefused("forbidden", "not_seller", _("Only the seller can cancel its tender."))
    refresh(tender, now)
    if tender.status != "open":
        raise not_open(tender.status)
    told = told_now(tender, now)
    with atomic():
        close_in_tx(tender, tender.version, "cancelled", now)
        record("tender.cancelled", "tender", tender.id, principal=principal)
    notify.tender_closed(tender, told)
    return tender


def _move_offer(tender: Tender, new: OfferState, now: datetime) -> bool:
    preferred = len(tender.preferred_carrier_ids or ())
    seen = tender.version
    with atomic():
        moved = db.session.execute(
            update(Tender).where(Tender.id == tender.id, Tender.status == "open", Tender.version == seen)
            .values(sequential_index=new.index, offer_started_at=new.started_at, version=Tender.version + 1,
                    private=False if new.opened_to_board(preferred) else Tender.private)
            .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        db.session.refresh(tender)
        return False
    db.session.refresh(tender)
    notify.tender_opened(tender, told_now(tender, now))
    return True


def refresh(tender: Tender, now: datetime) -> bool:
    """Apply what the clock decided since the last look; True when the tender changed."""
    if tender.status != "open":
        return False
    changed = False
    preferred = len(tender.preferred_carrier_ids or ())
    if tender.mode == "sequential" and tender.sequential_index < preferred:
        state = OfferState(tender.sequential_index, tender.offer_started_at or tender.created_at)
        new = advance_offer(state, preferred, timedelta(seconds=tender.offer_timeout_s), now)
        if new != state:
            changed = _move_offer(tender, new, now) or changed
    if tender.status == "open" and tender.deadline is not None and now >= tender.deadline:
        changed = _close_at_deadline(tender, now) or changed
    return changed


def _close_at_deadline(tender: Tender, now: datetime) -> bool:
    told = told_now(tender, now)
    try:
        if tender.mode == "auction":
            award = finalize_auction(tender, now)
        else:
            with atomic():
                close_in_tx(tender, tender.version, "expired", now)
            award = None
    except MarketRefused:  # another caller closed it first; take what it decided
        db.session.refresh(tender)
        return True
    db.session.refresh(tender)
    if award is not None:
        notify.tender_awarded(tender, award, told)
    else:
        notify.tender_closed(tender, told)
    return True


def decline(principal: Principal, tender: Tender, now: datetime) -> Tender:
    """The carrier currently offered a sequential tender says no; the next one hears at once."""
    refresh(tender, now)
    if tender.status != "open":
        raise not_open(tender.status)
    current = phase(tender, settings_of(tender.seller_org_id), now)
    if current.kind != "offer" or principal.organisation_id not in current.carriers:
        raise MarketRefused("conflict", "not_offered", _("This tender is not offered to you right now."))
    state = OfferState(tender.sequential_index, tender.offer_started_at or tender.created_at)
    if not _move_offer(tender, decline_offer(state, now), now):
        raise MarketRefused("conflict", "offer_moved", _("The offer moved on meanwhile."))
    # After the move landed (a decline the clock beat to it is no decline); declines are rare, so a commit of its own.
    record("tender.declined", "tender", tender.id, principal=principal, counterparty_org_id=tender.seller_org_id,
           after={"load_id": tender.load_id, "next_offer_index": tender.sequential_index})
    db.session.commit()
    return tender


@dataclass
class SweepReport:
    checked: int = 0
    changed: int = 0
    widened: int = 0
    reminded: int = 0  # carriers told a won load still needs a truck (``truck_needed``)
    errors: list[str] = field(default_factory=list)


def sweep(now: datetime, since: datetime | None = None, limit: int = 5000) -> SweepReport:
    """Refresh every open tender; tell carriers who came into reach since ``since``, and carriers whose won
    load opens for pickup soon without a truck (``truck_needed``)."""
    report = SweepReport()
    ids = list(db.session.scalars(select(Tender.id).where(Tender.status == "open").order_by(Tender.id).limit(limit)))
    for tender_id in ids:
        tender = db.session.get(Tender, tender_id)
        report.checked += 1
        try:
            if refresh(tender, now):
                report.changed += 1
            elif since is not None and tender.status == "open":
                report.widened += _tell_newly_near(tender, since, now)
        except Exception as exc:  # one broken tender must not stop the sweep of the others
            db.session.rollback()
            log.exception("sweep failed on tender %s", tender_id)
            report.errors.append(f"tender {tender_id}: {exc}")
    report.reminded = truck_needed.remind_due(now)
    return report


def _tell_newly_near(tender: Tender, since: datetime, now: datetime) -> int:
    settings = settings_of(tender.seller_org_id)
    before, after = phase(tender, settings, since), phase(tender, settings, now)
    if before.key == after.key or after.kind not in ("near", "all"):
        return 0
    view = load_view(db.session.get(Load, tender.load_id))
    newly = compute_audience(tender, view, settings, now) - compute_audience(tender, view, settings, since)
    if newly:
        notify.tender_opened(tender, newly)
    return 1
