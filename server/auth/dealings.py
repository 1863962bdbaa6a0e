"""Whether two organisations deal with each other: an accepted trading relationship, a carrier's dealings.

Used by order intake (a seller orders only for a buyer that accepted it), the buyer's sites a seller may
deliver to, and who sees a carrier's scorecard. Row visibility itself is ``server.auth.scoping``.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, false, or_, select

from server.auth.principal import Principal
from server.db.types import MAX_ID
from server.extensions import db
from server.models import Award, Bid, Load, Site, Tender, TradingRelationship


def trades_with(seller_id: int, buyer_id: int) -> bool:
    """Whether the buyer has accepted the seller's trading relationship (the rule for new orders)."""
    return db.session.scalar(select(TradingRelationship.id).where(
        TradingRelationship.seller_org_id == seller_id, TradingRelationship.buyer_org_id == buyer_id,
        TradingRelationship.status == "accepted")) is not None


def partner_sites(principal: Principal, buyer_id: int) -> Select:
    """The buyer's sites, for a seller the buyer has accepted (nothing otherwise)."""
    if principal.org_kind != "seller" or not trades_with(principal.organisation_id, buyer_id):
        return select(Site).where(false())
    return select(Site).where(Site.organisation_id == buyer_id)


def can_see_carrier(carrier_id: int, principal: Principal) -> bool:
    """A carrier's scorecard is seen by itself and by sellers it has bid for or been awarded by."""
    org_id = principal.organisation_id
    if org_id == carrier_id:
        return True
    if principal.org_kind != "seller" or not 0 < carrier_id <= MAX_ID:
        return False
    dealt = or_(
        exists().where(Bid.carrier_org_id == carrier_id, Bid.tender_id == Tender.id, Tender.seller_org_id == org_id),
        exists().where(Award.carrier_org_id == carrier_id, Award.load_id == Load.id, Load.seller_org_id == org_id),
    )
    return bool(db.session.scalar(select(dealt)))
