"""Where a carrier stands on a tender: its best bid, its rank, the time left, and the outcome.

One rule for the API (``TenderOut.standing``), the board page and the closed auctions that stay on
the carrier's board with their outcome, so they can never disagree. A carrier learns its own rank
and the lead price, never who else bid or at what price another carrier stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from server.extensions import db
from server.models import Award, Bid, Tender

RESULTS_KEPT = timedelta(hours=24)  # closed tenders stay on the carrier's board, with the outcome, this long
RANKED = ("active", "won", "lost")


def best_bids(tender_id: int, statuses: Iterable[str] = RANKED) -> dict[int, float]:
    """Each bidding carrier's best price on the tender among its bids in ``statuses`` (by default every
    ranked bid: withdrawn bids do not count)."""
    rows = db.session.execute(select(Bid.carrier_org_id, func.min(Bid.price))
                              .where(Bid.tender_id == tender_id, Bid.status.in_(tuple(statuses)))
                              .group_by(Bid.carrier_org_id)).all()
    return dict(rows)


def outcome(tender: Tender, carrier_id: int, bid: bool, winner_id: int | None) -> str:
    """``leading``, ``outbid``, ``won``, ``lost``, ``closed`` (ended unawarded), ``open`` (no bid of yours)."""
    if tender.status == "awarded":
        if winner_id == carrier_id:
            return "won"
        return "lost" if bid else "closed"
    if tender.status in ("expired", "cancelled"):
        return "closed"
    return "open"


def standing(tender: Tender, carrier_id: int, now: datetime) -> dict:
    """The carrier's standing on ``tender`` at ``now``."""
    best = best_bids(tender.id) if tender.mode == "auction" else {}
    mine = best.get(carrier_id)
    rank = None if mine is None else 1 + sum(1 for price in best.values() if price < mine)
    winner = None
    if tender.status == "awarded":
        winner = db.session.scalar(select(Award.carrier_org_id).where(Award.tender_id == tender.id))
    state = outcome(tender, carrier_id, mine is not None, winner)
    if state == "open" and rank is not None:
        state = "leading" if rank == 1 else "outbid"
    left = None
    if tender.status == "open" and tender.deadline is not None:
        left = max(0, int((tender.deadline - now).total_seconds()))
    return {"my_best": mine, "rank": rank, "bidders": len(best), "state": state, "time_left_s": left}


def recent_results(carrier_id: int, now: datetime, limit: int = 20) -> list[Tender]:
    """Tenders the carrier bid on or won that closed within ``RESULTS_KEPT``, newest first."""
    took_part = or_(Tender.id.in_(select(Bid.tender_id).where(Bid.carrier_org_id == carrier_id)),
                    Tender.id.in_(select(Award.tender_id).where(Award.carrier_org_id == carrier_id)))
    return list(db.session.scalars(select(Tender).where(
        Tender.status != "open", Tender.closed_at >= now - RESULTS_KEPT, took_part)
        .order_by(Tender.closed_at.desc(), Tender.id.desc()).limit(limit)))


def history(tender: Tender, viewer_id: int) -> list[dict] | None:
    """The tender's price history for one of its parties, oldest first; None for anyone else (a 404).

    The seller sees every bid with its carrier. A carrier that bid (or won) sees the lead price after each
    bid and its own prices; other carriers' bids show only as the lead they made.
    """
    bids = list(db.session.scalars(select(Bid).where(Bid.tender_id == tender.id).order_by(Bid.created_at, Bid.id)))
    is_seller = viewer_id == tender.seller_org_id
    winner = db.session.scalar(select(Award.carrier_org_id).where(Award.tender_id == tender.id))
    if not is_seller and viewer_id != winner and all(b.carrier_org_id != viewer_id for b in bids):
        return None
    lead, rows = None, []
    for bid in bids:
        if bid.status in RANKED:
            lead = bid.price if lead is None else min(lead, bid.price)
        own = bid.carrier_org_id == viewer_id
        row = {"at": bid.created_at, "lead_price": lead, "mine": own,
               "price": bid.price if is_seller or own else None, "status": bid.status if is_seller or own else None}
        if is_seller:
            row["carrier_id"] = bid.carrier_org_id
        rows.append(row)
    return rows
