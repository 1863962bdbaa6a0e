"""How tenders look to each party: the seller sees everything, carriers see the board view."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from server.api.common import point_from_db
from server.auth.principal import Principal
from server.extensions import db
from server.market.audience import phase
from server.market.fit import fleet_warning
from server.market.schemas import window
from server.market.scoring import settings_of
from server.market.standing import RANKED, standing
from server.models import Bid, Load, Site, Tender

FIELDS = ("id", "load_id", "mode", "status", "award_rule", "price", "ceiling_price", "target_price", "min_decrement",
          "max_bids_per_carrier", "deadline", "private", "offer_timeout_s", "radius_km", "created_at", "closed_at",
          "version")


def load_summary(load: Load) -> dict:
    pickup, delivery = db.session.get(Site, load.pickup_site_id), db.session.get(Site, load.delivery_site_id)
    return {"id": load.id, "reference": load.reference, "pickup_site_id": load.pickup_site_id,
            "pickup_location": point_from_db(pickup.location), "delivery_location": point_from_db(delivery.location),
            "pickup_window": window(load.pickup_earliest, load.pickup_latest),
            "delivery_window": window(load.delivery_earliest, load.delivery_latest),
            "required_equipment": load.required_equipment, "weight_kg": load.weight_kg, "volume_m3": load.volume_m3,
            "pallets": load.pallets, "hazmat_classes": load.hazmat_classes}


def tender_out(tender: Tender, principal: Principal, now: datetime) -> dict:
    """The tender with its lead price, bid count, the caller's own bids and the current phase."""
    is_seller = principal.organisation_id == tender.seller_org_id
    mine = Bid.carrier_org_id == principal.organisation_id
    count, lead = db.session.execute(select(func.count(Bid.id), func.min(Bid.price)).where(
        Bid.tender_id == tender.id, Bid.status.in_(RANKED))).one()
    my_bids = [] if is_seller else list(db.session.scalars(
        select(Bid.price).where(Bid.tender_id == tender.id, mine).order_by(Bid.id)))
    current = phase(tender, settings_of(tender.seller_org_id), now)
    out = {name: getattr(tender, name) for name in FIELDS}
    out.update(seller_id=tender.seller_org_id, lead_price=lead, bid_count=count, my_bids=my_bids,
               preferred_carrier_ids=list(tender.preferred_carrier_ids or ()) if is_seller else [],
               phase={"kind": current.kind, "reach_km": current.reach_km, "open_to_all_at": current.open_to_all_at,
                      "offered_to": next(iter(current.carriers)) if current.kind == "offer" and is_seller else None},
               load=load_summary(db.session.get(Load, tender.load_id)),
               standing=None if is_seller or principal.org_kind != "carrier"
               else standing(tender, principal.organisation_id, now))
    if principal.org_kind == "carrier" and tender.status == "open":
        # Said before the carrier grabs or bids, not refused: it may still hire or free a truck.
        out["fleet_warning"] = fleet_warning(principal.organisation_id, db.session.get(Load, tender.load_id))
    return out


