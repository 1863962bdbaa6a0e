"""Awarding and closing tenders: exactly one award, enforced by the database.

The award is a conditional UPDATE (``status='open' AND version=:seen``) whose row count says
whether this caller won; the unique indexes on ``awards`` are the backstop. No Python lock is
involved, so it holds across threads, processes and servers.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.audit.trail import record
from server.extensions import db
from server.market import award_approval
from server.market.award_rules import DEFAULT_SCORE, AwardProblem, Offer, policy_for, solve
from server.market.refusals import MarketRefused
from server.market.scoring import scorecards, settings_of
from server.models import Award, Bid, Load, Tender

# Lazy: the detail is put in the caller's language when the refusal is raised.
CLOSED_REASONS = {"awarded": ("already_awarded", _l("The tender is already awarded (another carrier was "
                                                    "faster).")),
                  "expired": ("tender_expired", _l("The tender expired without an award.")),
                  "cancelled": ("tender_cancelled", _l("The seller cancelled the tender."))}


@contextmanager
def atomic(keep: bool = False):
    """Commit the block's changes together, or roll every one of them back.

    ``keep=True`` leaves the session's objects loaded after the commit, so answering with the
    row just written costs no second query (the hot bid and grab paths use it).
    """
    session = db.session()
    try:
        yield
        if keep:
            session.expire_on_commit = False
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_on_commit = True


def not_open(status: str) -> MarketRefused:
    reason, detail = CLOSED_REASONS.get(status, ("offer_moved", _l("The tender changed meanwhile; look again.")))
    return MarketRefused("conflict", reason, str(detail))


def current_status(tender_id: int) -> str:
    return db.session.scalar(select(Tender.status).where(Tender.id == tender_id).execution_options(
        populate_existing=True)) or "cancelled"


def _swing(model, row_id: int, where, values: dict) -> bool:
    result = db.session.execute(update(model).where(model.id == row_id, *where).values(**values)
                                .execution_options(synchronize_session=False))
    return result.rowcount == 1


def award_in_tx(tender: Tender, seen_version: int, carrier_id: int, price: float, rule: str, now: datetime,
                bid_id: int | None = None) -> Award:
    """Within the caller's transaction: close the tender, award the load, store the award."""
    if not _swing(Tender, tender.id, (Tender.status == "open", Tender.version == seen_version),
                  {"status": "awarded", "version": Tender.version + 1, "closed_at": now}):
        raise not_open(current_status(tender.id))
    if not _swing(Load, tender.load_id, (Load.status == "tendered",),
                  {"status": "awarded", "carrier_org_id": carrier_id, "price": price}):
        raise MarketRefused("conflict", "load_not_tendered", _("The load is no longer on the board."))
    award = Award(tender_id=tender.id, load_id=tender.load_id, carrier_org_id=carrier_id, price=price, rule=rule,
                  created_at=now)
    db.session.add(award)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the unique indexes: someone else's award got in first
        raise MarketRefused("conflict", "already_awarded", _("The load already has an award.")) from exc
    record("award.made", "award", award.id, organisation_id=tender.seller_org_id, counterparty_org_id=carrier_id,
           after={"load_id": award.load_id, "price": price, "rule": rule})
    award_approval.hold_if_needed(award, tender.seller_org_id)
    if tender.mode == "auction":
        db.session.execute(update(Bid).where(Bid.tender_id == tender.id, Bid.status == "active")
                           .values(status="lost").execution_options(synchronize_session=False))
        if bid_id is not None:
            db.session.execute(update(Bid).where(Bid.id == bid_id).values(status="won")
                               .execution_options(synchronize_session=False))
    return award


def close_in_tx(tender: Tender, seen_version: int, status: str, now: datetime) -> None:
    """Within the caller's transaction: expire or cancel an open tender and put the load back to draft."""
    if not _swing(Tender, tender.id, (Tender.status == "open", Tender.version == seen_version),
                  {"status": status, "version": Tender.version + 1, "closed_at": now}):
        raise not_open(current_status(tender.id))
    _swing(Load, tender.load_id, (Load.status == "tendered",), {"status": "draft"})


def offers_of(tender: Tender, with_scores: bool, window: int) -> list[Offer]:
    rows = db.session.execute(select(Bid.id, Bid.carrier_org_id, Bid.price, Bid.created_at)
                              .where(Bid.tender_id == tender.id, Bid.status == "active")).all()
    cards = scorecards({r[1] for r in rows}, window) if with_scores else {}
    return [Offer(bid_id, carrier, price, at, cards[carrier].score if carrier in cards else DEFAULT_SCORE)
            for bid_id, carrier, price, at in rows]


def finalize_auction(tender: Tender, now: datetime) -> Award | None:
    """Past the deadline: award the best offer under the tender's rule, or expire with none.

    Returns the award (None when it expired). Raises a conflict refusal when another caller
    finalized it first.
    """
    settings = settings_of(tender.seller_org_id)
    policy = policy_for(tender.award_rule, tender.target_price, settings.score_weight)
    offers = offers_of(tender, tender.award_rule == "score_adjusted", settings.window)
    decision = solve(AwardProblem(tuple(offers), tender.ceiling_price), policy)
    seen = tender.version
    with atomic():
        if decision.winner is None:
            close_in_tx(tender, seen, "expired", now)
            return None
        win = decision.winner
        return award_in_tx(tender, seen, win.carrier_id, win.price, decision.rule, now, bid_id=win.bid_id)
