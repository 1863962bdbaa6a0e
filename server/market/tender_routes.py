"""The load board: tenders, bids, grabs, sequential declines and the seller's cancel."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from server import clock
from server.api.common import PageArgs, page_of, page_schema
from server.auth.object_permissions import require_on
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.db.types import MAX_ID
from server.errors import ApiProblem
from server.extensions import db
from server.market.bid_rules import MODES
from server.market.bidding import grab, place_bid
from server.market.board import board_tenders
from server.market.fit import fleet_warning
from server.market.schemas import (
    AwardOut,
    BidIn,
    BidOut,
    BidPlaced,
    HistoryRow,
    TenderOut,
    answer_refusals,
)
from server.market.scoring import scorecards, settings_of
from server.market.standing import history
from server.market.states import TENDER_FLOW
from server.market.tender_row import tender_for_bid, tender_for_grab
from server.market.tendering import cancel_tender, decline, refresh
from server.market.views import tender_out
from server.models import Bid, Load, Tender

blp = Blueprint("market", __name__, url_prefix="/api/v1/tenders", description="The load board")
answer_refusals(blp)


class TenderFilter(PageArgs):
    status = fields.String(validate=validate.OneOf(sorted(TENDER_FLOW)),
                           metadata={"description": "carriers without a status see the open board they may act on"})
    mode = fields.String(validate=validate.OneOf(MODES))


class SellerBidOut(BidOut):
    carrier_score = fields.Float(allow_none=True)


def _tender(tender_id: int, principal) -> Tender:
    return get_scoped_or_404(Tender, tender_id, principal)


@blp.get("")
@blp.arguments(TenderFilter, location="query")
@blp.response(200, page_schema(TenderOut, "TenderPage"))
def list_tenders(args):
    """Sellers: their tenders. Carriers: the open board they may act on now (or, with a status, any
    tender they can see in that status)."""
    principal = current_principal()
    now = clock.now()
    if principal.org_kind != "carrier" or "status" in args:
        query = scoped(Tender, principal).order_by(Tender.id.desc())
        if "mode" in args:
            query = query.where(Tender.mode == args["mode"])
        if "status" in args:
            query = query.where(Tender.status == args["status"])
        return page_of(query, args, lambda t: _fresh_out(t, principal, now))
    board = board_tenders(principal, now, args.get("mode"))
    page = board[args["offset"]:args["offset"] + args["limit"]]
    return {"items": [tender_out(t, principal, now) for t in page], "total": len(board), "limit": args["limit"],
            "offset": args["offset"]}


def _fresh_out(tender: Tender, principal, now) -> dict:
    refresh(tender, now)
    return tender_out(tender, principal, now)


@blp.get("/<int:tender_id>")
@blp.response(200, TenderOut)
def get_tender(tender_id):
    """One tender, brought up to date with the clock (sequential offers, deadlines)."""
    principal = current_principal()
    tender = _tender(tender_id, principal)
    now = clock.now()
    refresh(tender, now)
    return tender_out(tender, principal, now)


@blp.post("/<int:tender_id>/bids")
@blp.arguments(BidIn())  # one instance: webargs would build one per request from the class
@blp.response(201, BidPlaced)
@require("bid")
def post_bid(data, tender_id):
    """Bid in a reverse auction: at most the ceiling, below your previous bid by the decrement,
    before the deadline, at most N times. A bid at or below an auto-accept target wins at once."""
    principal = current_principal()
    row = tender_for_bid(tender_id, principal) if 0 < tender_id <= MAX_ID else None
    if row is None:
        raise ApiProblem(404, _("Tender %(tender_id)s was not found.", tender_id=tender_id))
    bid, award = place_bid(principal, row, data["price"], clock.now())
    # No fleet warning here: the board row gave it before the bid, and a bid stays three statements.
    return {"bid": bid, "award": award}


@blp.get("/<int:tender_id>/bids")
@blp.response(200, SellerBidOut(many=True))
def list_bids(tender_id):
    """The seller sees every bid with the bidder's score; a carrier sees its own bids only."""
    principal = current_principal()
    tender = _tender(tender_id, principal)
    bids = list(db.session.scalars(scoped(Bid, principal).where(Bid.tender_id == tender.id).order_by(Bid.id)))
    cards = {}
    if tender.seller_org_id == principal.organisation_id:
        cards = scorecards({b.carrier_org_id for b in bids}, settings_of(tender.seller_org_id).window)
    return [{"id": b.id, "tender_id": b.tender_id, "carrier_org_id": b.carrier_org_id, "price": b.price,
             "status": b.status, "created_at": b.created_at,
             "carrier_score": cards[b.carrier_org_id].score if b.carrier_org_id in cards else None} for b in bids]


@blp.get("/<int:tender_id>/history")
@blp.response(200, HistoryRow(many=True))
def get_history(tender_id):
    """The tender's price history for its parties (the seller, carriers that bid); others get 404."""
    principal = current_principal()
    rows = history(_tender(tender_id, principal), principal.organisation_id)
    if rows is None:
        raise ApiProblem(404, _("Tender %(tender_id)s was not found.", tender_id=tender_id))
    return rows


@blp.post("/<int:tender_id>/grab")
@blp.response(201, AwardOut)
@require("bid")
def post_grab(tender_id):
    """Grab a fixed-price load (or accept a sequential offer): first come, first served."""
    principal = current_principal()
    row = tender_for_grab(tender_id, principal) if 0 < tender_id <= MAX_ID else None
    if row is None:
        raise ApiProblem(404, _("Tender %(tender_id)s was not found.", tender_id=tender_id))
    award = grab(principal, row, clock.now())
    award.fleet_warning = fleet_warning(principal.organisation_id, db.session.get(Load, award.load_id))
    return award


@blp.post("/<int:tender_id>/decline")
@blp.response(200, TenderOut)
@require("bid")
def post_decline(tender_id):
    """Decline a sequential offer; the next preferred carrier (or the board) hears at once."""
    principal = current_principal()
    now = clock.now()
    tender = decline(principal, _tender(tender_id, principal), now)
    return tender_out(tender, principal, now)


@blp.post("/<int:tender_id>/cancel")
@blp.response(200, TenderOut)
@require("open_tenders", org_kinds=("seller",), by_department=True)
def post_cancel(tender_id):
    """The seller withdraws an open tender; the load goes back to draft."""
    principal = current_principal()
    now = clock.now()
    tender = _tender(tender_id, principal)
    require_on(principal, "open_tenders", tender)
    tender = cancel_tender(principal, tender, now)
    return tender_out(tender, principal, now)
