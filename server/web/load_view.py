"""One load as its parties see it on ``/loads/<id>``: the facts, the dock slot and yard visit, the
status timeline, pickup authorizations, tracking links, documents, evidence and proof of delivery.

The load is read with the API's scoping, so a page for a load the caller is not party to does
not exist (404), exactly as ``GET /api/v1/loads/<id>`` answers.
"""

from __future__ import annotations

from sqlalchemy import select

from server.auth.principal import Principal
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import (
    DockAppointment,
    InspectionAppointment,
    Load,
    Organisation,
    PickupAuthorization,
    ProofOfDelivery,
    Site,
    TrackingLink,
    YardVisit,
)
from server.stops.authorization import awaiting_names
from server.stops.views import sees_load_proof, visible_entries
from server.tracking.link_scope import link_scope
from server.tracking.load_state import state_of, stop_state
from server.web import views
from server.web.stops_view import is_stop_buyer, page_stops

KIND_OF_PARTY = ("seller", "buyer", "carrier")


def party_of(load: Load, principal: Principal) -> str:
    for role in KIND_OF_PARTY:
        if getattr(load, f"{role}_org_id") == principal.organisation_id:
            return role
    if is_stop_buyer(load, principal):
        return "buyer"
    return "inspector" if principal.org_kind == "inspector" else "viewer"


def inspection(load: Load, principal: Principal, party: str) -> dict:
    """The load's appointed inspectors and, for its seller and buyer, the agencies they may appoint."""
    appointed = list(db.session.scalars(scoped(InspectionAppointment, principal).where(
        InspectionAppointment.load_id == load.id, InspectionAppointment.withdrawn_at.is_(None))
        .order_by(InspectionAppointment.id)))
    names = views.names_of(Organisation, [row.inspector_org_id for row in appointed])
    agencies = []
    if party in ("seller", "buyer"):
        agencies = list(db.session.scalars(select(Organisation).where(Organisation.kind == "inspector",
                                                                      Organisation.active.is_(True))
                                           .order_by(Organisation.name)))
    return {"appointed": [{"id": row.id, "name": names.get(row.inspector_org_id),
                           "by_us": row.appointed_by_org_id == principal.organisation_id} for row in appointed],
            "agencies": agencies}


def scoped_load(principal: Principal, load_id: int) -> Load:
    """The load, or the API's 404 problem (which pages turn into the HTML 404 page)."""
    return get_scoped_or_404(Load, load_id, principal)


def authorizations(load: Load, principal: Principal) -> list[PickupAuthorization]:
    return list(db.session.scalars(scoped(PickupAuthorization, principal)
                                   .where(PickupAuthorization.load_id == load.id)
                                   .order_by(PickupAuthorization.id.desc())))


def tracking_links(load: Load, principal: Principal, party: str) -> list[TrackingLink]:
    """The links this party manages, newest first: what the API lists to it (a stop buyer on a multi-drop
    load sees its own, never the seller's or another buyer's)."""
    if party not in ("buyer", "seller"):
        return []
    try:
        scope = link_scope(load.id, principal)
    except ApiProblem:  # a party the API would refuse (403) has no links here either, and the page still shows
        return []
    return list(db.session.scalars(scope.links().order_by(None).order_by(TrackingLink.id.desc())))


def appointment(load: Load) -> dict | None:
    from server.yard.notify import appointment_view

    row = db.session.scalar(select(DockAppointment).where(DockAppointment.load_id == load.id,
                                                          DockAppointment.status != "cancelled")
                            .order_by(DockAppointment.id.desc()))
    return appointment_view(row)


def visit(load: Load) -> YardVisit | None:
    return db.session.scalar(select(YardVisit).where(YardVisit.load_id == load.id).order_by(YardVisit.id.desc()))


def evidence(load: Load, principal: Principal, own_stop: dict | None = None) -> dict:
    """The evidence items in chain order, the chain's verification, and the proof of delivery
    (a buyer's own stop's on a multi-drop load; other buyers' stops left out)."""
    from server.yard import evidence as service

    rows = service.rows_of(load.id)
    items = visible_entries([service.item_view(row) for row in rows], load, principal, "payload")
    for item in items:
        item["files"] = service.file_hashes(item.get("payload") or {})
    pod = db.session.scalar(select(ProofOfDelivery).where(ProofOfDelivery.load_id == load.id,
                                                          ProofOfDelivery.stop_id.is_(None)))
    if own_stop or not sees_load_proof(load, principal):
        pod = own_stop["pod"] if own_stop else None
    return {"items": items, "verification": service.verify_load(load.id) if rows else None, "pod": pod}


def timeline(load: Load) -> list[dict]:
    from server.tracking.load_state import timeline_entries
    from server.tracking.snapshot import timeline as load_timeline

    return timeline_entries(load_timeline(load.id))


def awaiting_authorization(load: Load, party: str) -> list[str]:
    """The buyers whose pickup authorization the load still waits for, for its seller and carrier only
    (a buyer on a multi-drop load never learns who else is on it)."""
    if party not in ("seller", "carrier") or load.status not in ("awarded", "assigned"):
        return []
    return awaiting_names(load)


def detail(principal: Principal, load_id: int) -> dict:
    """Everything the load page shows, for the calling party."""
    load = scoped_load(principal, load_id)
    party = party_of(load, principal)
    row = views.load_rows([load], with_tenders=party == "seller")[0]
    sites = views.site_points([load.pickup_site_id, load.delivery_site_id])
    tender = row["tender"]
    stops = page_stops(load, principal)
    if stops["own_stop"]:
        # A buyer on a multi-drop load: its own stop is the delivery it follows on the map.
        sites = views.site_points([load.pickup_site_id, stops["own_stop"]["stop"].site_id])
    context = {
        # A buyer on a multi-drop load is told its own stop's state (delivered at its own proof).
        "load": load, "state": stop_state(load, stops["own_stop"]["stop"]) if stops["own_stop"] else state_of(load),
        "row": row, "party": party, "sites": sites, **stops,
        "pickup_site": db.session.get(Site, load.pickup_site_id),
        "delivery_site": db.session.get(Site, load.delivery_site_id),
        "appointment": appointment(load), "visit": visit(load),
        "timeline": visible_entries(timeline(load), load, principal, "data"),
        "authorizations": authorizations(load, principal), "links": tracking_links(load, principal, party),
        "evidence": evidence(load, principal, stops["own_stop"]), "tender": tender,
        "map_vehicles": views.map_vehicles([load]),
        "drivers": views.drivers_of(principal) if party == "carrier" else [],
        "vehicles": views.fleet(principal) if party == "carrier" else [],
        "show_price": party in ("seller", "carrier"),
        "inspection": inspection(load, principal, party),
        "awaiting_authorization": awaiting_authorization(load, party),
    }
    if party == "buyer":
        context["carrier_drivers"] = _carrier_drivers(load)
    return context


def _carrier_drivers(load: Load) -> list:
    """The awarded carrier's drivers, for the buyer's pickup-authorization form (names only)."""
    from server.models import Driver

    if load.carrier_org_id is None:
        return []
    return list(db.session.scalars(select(Driver).where(Driver.organisation_id == load.carrier_org_id,
                                                        Driver.active.is_(True)).order_by(Driver.id)))
