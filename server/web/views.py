"""What the dashboards show, read from the database through the same scoping rules as the API.

Each function takes the signed-in `Principal` and returns plain rows for a template. Nothing
here writes except the market clock's `refresh` (which the API's reads apply too), so a page
shows a tender exactly as its JSON would.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from server.api.common import point_from_db
from server.auth.principal import Principal
from server.auth.scoping import scoped
from server.extensions import db
from server.models import (
    ApiToken,
    DeviceCredential,
    Driver,
    Event,
    EvidenceItem,
    Load,
    Order,
    Organisation,
    Site,
    Tender,
    TradingRelationship,
    User,
    Vehicle,
)
from server.orders.planning_state import PLANNABLE as ORDER_PLANNABLE
from server.tracking.load_state import states_of

ACTIVE = ("assigned", "authorized", "at_pickup", "loading", "in_transit")
PLANNABLE = ("awarded", "assigned", "authorized")
LIST_LIMIT = 200


def names_of(model, ids, attribute: str = "name") -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    column = getattr(model, attribute)
    return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())


def loads_of(principal: Principal, role: str | None = None, statuses=None) -> list[Load]:
    query = scoped(Load, principal).order_by(Load.id.desc()).limit(LIST_LIMIT)
    if role == "buyer":  # a buyer with a stop on a multi-drop load follows that load too
        from server.stops.views import buyer_loads_clause

        query = query.where(buyer_loads_clause(principal.organisation_id))
    elif role:
        query = query.where(getattr(Load, f"{role}_org_id") == principal.organisation_id)
    if statuses:
        query = query.where(Load.status.in_(statuses))
    return list(db.session.scalars(query))


def load_rows(loads: list[Load], with_tenders: bool = False, with_evidence: bool = False) -> list[dict]:
    """Loads with their parties' and sites' names, the truck's plate and, when asked, the latest
    tender and the evidence chain's state."""
    orgs = names_of(Organisation, [x for load in loads for x in (load.seller_org_id, load.buyer_org_id,
                                                                   load.carrier_org_id)])
    sites = names_of(Site, [x for load in loads for x in (load.pickup_site_id, load.delivery_site_id)])
    plates = names_of(Vehicle, [load.vehicle_id for load in loads], "plate")
    drivers = names_of(Driver, [load.driver_id for load in loads])
    tenders = latest_tenders([load.id for load in loads]) if with_tenders else {}
    evidence = evidence_counts([load.id for load in loads]) if with_evidence else {}
    states = states_of(loads)  # what every page says of a load's status (server/tracking/load_state.py)
    waiting = awaiting_approval([load.id for load in loads])
    return [{"load": load, "state": states[load.id], "seller": orgs.get(load.seller_org_id),
             "buyer": orgs.get(load.buyer_org_id),
             "carrier": orgs.get(load.carrier_org_id), "pickup": sites.get(load.pickup_site_id),
             "delivery": sites.get(load.delivery_site_id), "plate": plates.get(load.vehicle_id),
             "driver": drivers.get(load.driver_id), "tender": tenders.get(load.id),
             "evidence": evidence.get(load.id), "awaiting_approval": load.id in waiting or load.status == "awaiting_approval"} for load in loads]


def awaiting_approval(load_ids: list[int]) -> set[int]:
    """The loads with something waiting for an approval chain (one query for the whole table)."""
    from server.models import ApprovalRequest

    if not load_ids:
        return set()
    return set(db.session.scalars(select(ApprovalRequest.load_id).where(ApprovalRequest.load_id.in_(load_ids),
                                                                        ApprovalRequest.status == "pending")))


def assignable_rows(principal: Principal, loads: list[Load]) -> list[dict]:
    """``load_rows`` for the carrier, with the trucks and drivers that fit each load still to assign
    (the same answer as ``GET /loads/{id}/assignment-options``)."""
    from server.market.fit import assignment_options

    empty = {"vehicles": [], "drivers": [], "unsuitable_vehicles": [], "unsuitable_drivers": []}
    rows = load_rows(loads)
    for row in rows:
        assignable = row["load"].status in PLANNABLE
        row["options"] = assignment_options(principal.organisation_id, row["load"]) if assignable else empty
    return rows


def latest_tenders(load_ids: list[int]) -> dict[int, Tender]:
    if not load_ids:
        return {}
    rows = db.session.scalars(select(Tender).where(Tender.load_id.in_(load_ids)).order_by(Tender.id))
    return {tender.load_id: tender for tender in rows}


def evidence_counts(load_ids: list[int]) -> dict[int, dict]:
    """Per load with evidence: the number of items and whether the hash chain verifies."""
    if not load_ids:
        return {}
    from server.yard.evidence import verify_load

    counts = dict(db.session.execute(select(EvidenceItem.load_id, func.count(EvidenceItem.id))
                                     .where(EvidenceItem.load_id.in_(load_ids))
                                     .group_by(EvidenceItem.load_id)).all())
    return {load_id: {"items": n, "verification": verify_load(load_id)} for load_id, n in counts.items()}


def orders_of(principal: Principal) -> list[dict]:
    orders = list(db.session.scalars(scoped(Order, principal).order_by(Order.id.desc()).limit(100)))
    orgs = names_of(Organisation, [o.buyer_org_id for o in orders] + [o.seller_org_id for o in orders])
    sites = names_of(Site, [o.delivery_site_id for o in orders])
    return [{"order": o, "buyer": orgs.get(o.buyer_org_id), "seller": orgs.get(o.seller_org_id),
             "delivery": sites.get(o.delivery_site_id),
             "weight_kg": sum(line.quantity * line.unit_weight_kg for line in o.lines),
             "plannable": o.status in ORDER_PLANNABLE} for o in orders]


def map_vehicles(loads: list[Load]) -> list[dict]:
    """The trucks on active loads, with their load and last stored position (for the first paint)."""
    from server.tracking.snapshot import last_position

    plates = names_of(Vehicle, [load.vehicle_id for load in loads], "plate")
    out = []
    for load in loads:
        if load.vehicle_id is None or load.status not in ACTIVE:
            continue
        out.append({"vehicle_id": str(load.vehicle_id), "plate": plates.get(load.vehicle_id),
                    "load_id": load.id, "reference": load.reference, "position": last_position(load.vehicle_id)})
    return out


def fleet(principal: Principal) -> list[dict]:
    from server.tracking.snapshot import last_position

    vehicles = db.session.scalars(scoped(Vehicle, principal).where(Vehicle.active.is_(True))
                                  .order_by(Vehicle.id).limit(LIST_LIMIT))
    return [{"vehicle_id": str(v.id), "plate": v.plate, "hazmat": v.hazmat_certified,
             "position": last_position(v.id)} for v in vehicles]


def drivers_of(principal: Principal) -> list[Driver]:
    return list(db.session.scalars(scoped(Driver, principal).where(Driver.active.is_(True)).order_by(Driver.id)))


def suspended_devices(principal: Principal) -> list[dict]:
    """The organisation's live device logins the ingest suspended for garbage, for those who may reinstate them."""
    if not principal.can("manage_devices"):
        return []
    rows = db.session.execute(
        scoped(DeviceCredential, principal).with_only_columns(
            DeviceCredential.id, DeviceCredential.username, DeviceCredential.suspended_at, Vehicle.plate)
        .outerjoin(Vehicle, Vehicle.id == DeviceCredential.vehicle_id)
        .where(DeviceCredential.suspended_at.is_not(None), DeviceCredential.revoked_at.is_(None))
        .order_by(DeviceCredential.suspended_at.desc(), DeviceCredential.id).limit(LIST_LIMIT))
    return [{"id": r.id, "username": r.username, "since": r.suspended_at, "plate": r.plate} for r in rows]


def recent_events(load_ids: list[int], limit: int = 30) -> list[dict]:
    if not load_ids:
        return []
    refs = names_of(Load, load_ids, "reference")
    rows = db.session.scalars(select(Event).where(Event.load_id.in_(load_ids))
                              .order_by(Event.time.desc(), Event.id.desc()).limit(limit))
    return [{"event": e, "reference": refs.get(e.load_id)} for e in rows]


def board(principal: Principal, now: datetime) -> list[dict]:
    """The carrier's load board (the market's one board rule), as the API lists it."""
    from server.market.board import board_tenders
    from server.market.views import tender_out

    out = [tender_out(tender, principal, now) for tender in board_tenders(principal, now)]
    db.session.commit()  # keep what the clock decided, as the API's reads do
    sites = names_of(Site, [t["load"]["pickup_site_id"] for t in out])
    for row in out:
        row["pickup_name"] = sites.get(row["load"]["pickup_site_id"])
    return out


def board_results(principal: Principal, now: datetime) -> list[dict]:
    """Closed tenders the carrier took part in lately, with its outcome (won, lost, closed without award)."""
    from server.market.standing import recent_results
    from server.market.views import tender_out

    return [tender_out(tender, principal, now) for tender in recent_results(principal.organisation_id, now)]


def sites_with_docks(principal: Principal) -> list[Site]:
    return list(db.session.scalars(scoped(Site, principal).order_by(Site.id)))


def site_points(site_ids) -> dict[int, dict]:
    rows = db.session.execute(select(Site.id, Site.name, Site.location).where(Site.id.in_(set(site_ids)))).all()
    return {sid: {"name": name, **(point_from_db(location) or {})} for sid, name, location in rows}


def trading(principal: Principal) -> list[dict]:
    """The organisation's trading relationships as the API shows them; for a seller, with the delivery
    sites of each buyer that accepted it (the ids its ERP orders with)."""
    from server.api.trading import organisation_names, relationship_view
    from server.auth.dealings import partner_sites

    rows = list(db.session.scalars(scoped(TradingRelationship, principal)
                                   .order_by(TradingRelationship.id.desc()).limit(LIST_LIMIT)))
    names = organisation_names(principal, [x for r in rows for x in (r.seller_org_id, r.buyer_org_id)])
    out = []
    for row in rows:
        view = relationship_view(row, principal, names)
        if row.status == "accepted" and principal.organisation_id == row.seller_org_id:
            view["sites"] = list(db.session.scalars(partner_sites(principal, row.buyer_org_id).order_by(Site.id)))
        out.append(view)
    return out


def erp_tokens(principal: Principal) -> list:
    """The organisation's ERP tokens, newest first (the admin page and its refreshed fragment)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.organisation_id == principal.organisation_id,
                                                          ApiToken.kind == "erp").order_by(ApiToken.id.desc())))


def admin_lists() -> dict:
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.id)))
    users = list(db.session.scalars(select(User).order_by(User.id).limit(500)))
    return {"organisations": organisations, "users": users,
            "org_names": {o.id: o.name for o in organisations}}
