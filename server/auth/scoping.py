"""Tenant scoping, in one place.

Every API read goes through ``scoped()`` or ``get_scoped_or_404()``. Objects an
organisation owns (sites, fleet, users, tokens) are visible to that organisation;
shipments (orders, loads) are visible to their parties only: seller, buyer and the
awarded carrier. A multi-drop load is also visible to each buyer with a delivery stop on it,
who sees only its own stops (``LoadStop``). Anything else answers 404, so not even its
existence leaks.

Four rules narrow that further:

* A user whose only role is ``driver`` sees only the loads assigned to them (and what hangs off
  those loads: their orders, award, tender, bids, pickup authorization, dock slot, yard visit,
  evidence, tracking), the trucks of those loads and their own driver row; not the rest of the
  carrier's work, its route plans or its pairing codes, nor its organisation's live room.
* A seller trades with a buyer only once the buyer accepted the seller's trading relationship
  (``dealings.trades_with``); only then may the seller order for the buyer and see its delivery sites
  (``dealings.partner_sites``). Organisations see each other (``GET /organisations``) only when they
  deal with each other (`visibility(Organisation)`); inspection agencies are a public directory;
  platform admins see all.
* An independent inspection organisation sees only the loads it is appointed to (``inspection_scope``).
* When an organisation asks, a member of departments sees only its departments' orders, loads and
  sites (``department_scope``), inside the organisation's share.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import (
    Select,
    and_,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    type_coerce,
    union,
)
from sqlalchemy.dialects.postgresql import JSONB

from server.auth.department_scope import department_filter
from server.auth.inspection_scope import appointment_visibility, inspector_visibility, is_inspector
from server.auth.permissions import BUILTIN_ROLES
from server.auth.principal import Principal
from server.db.types import MAX_ID
from server.errors import ApiProblem
from server.extensions import db
from server.models import (
    ApiToken,
    ApprovalDelegation,
    ApprovalRequest,
    ApprovalRule,
    Award,
    Bid,
    CustomRole,
    Department,
    DeviceCredential,
    DevicePairing,
    Dispute,
    Dock,
    Driver,
    FreightBill,
    InspectionAppointment,
    Job,
    Load,
    Order,
    Organisation,
    Payment,
    PickupAuthorization,
    RateAgreement,
    Site,
    Statement,
    Tender,
    TradingRelationship,
    User,
    Vehicle,
    VehicleType,
    Webhook,
)
from server.models.loads import LoadLine, LoadStop
from server.models.orders import OrderLine
from server.models.yard import DockAppointment, YardVisit

OWNED = {Site: Site.organisation_id, Vehicle: Vehicle.organisation_id, Driver: Driver.organisation_id,
         VehicleType: VehicleType.organisation_id, User: User.organisation_id,
         ApiToken: ApiToken.organisation_id, Webhook: Webhook.organisation_id,
         Job: Job.organisation_id, DevicePairing: DevicePairing.organisation_id,
         DeviceCredential: DeviceCredential.organisation_id, CustomRole: CustomRole.organisation_id,
         Department: Department.organisation_id, ApprovalRule: ApprovalRule.organisation_id,
         ApprovalRequest: ApprovalRequest.organisation_id, ApprovalDelegation: ApprovalDelegation.organisation_id}


def _order_visible(org_id: int):
    carried = (
        select(OrderLine.order_id)
        .join(LoadLine, LoadLine.order_line_id == OrderLine.id)
        .join(Load, Load.id == LoadLine.load_id)
        .where(Load.carrier_org_id == org_id)
    )
    return or_(Order.seller_org_id == org_id, Order.buyer_org_id == org_id, Order.id.in_(carried))


def driver_only(principal: Principal) -> bool:
    """A person who may do no more than a driver (the built-in role, or a custom role of driver permissions
    only): sees the loads assigned to them, not the carrier's work. By permissions, never by role names."""
    if principal.org_kind == "inspector" or not principal.permissions <= BUILTIN_ROLES["driver"]:
        return False
    # A token without a user is a driver's when its only role is the driver's (a paired phone of a
    # driver without a login): it must not see the carrier's work because it names nobody. An integration
    # token cut down to driver permissions (a weighbridge's record_evidence) keeps its organisation's view.
    return principal.user_id is not None or set(principal.roles) == {"driver"}


def may_follow_organisation(principal: Principal) -> bool:
    """Whether a socket of this principal joins its organisation's room (every truck, every event)."""
    return not driver_only(principal)


def visibility(model, principal: Principal):
    """The WHERE clause that limits ``model`` to what the principal may see (narrowed by department
    for orders, loads and sites when the organisation asks: ``department_scope``)."""
    clause = _organisation_share(model, principal)
    narrowed = department_filter(model, principal) if model in (Order, Load, Site) else None
    return clause if narrowed is None else and_(clause, narrowed)


def _organisation_share(model, principal: Principal):
    org_id = principal.organisation_id
    if model in DRIVER_RULES and driver_only(principal):
        return DRIVER_RULES[model](principal)
    if is_inspector(principal):  # appointed loads only (server.auth.inspection_scope)
        return inspector_visibility(model, principal, OWNED)
    if model is InspectionAppointment:
        return appointment_visibility(principal)
    if model in OWNED:
        return OWNED[model] == org_id
    if model is Dock:  # through its site, so a department's narrowing covers its docks
        return Dock.site_id.in_(select(Site.id).where(visibility(Site, principal)))
    if model is Order:
        return _order_visible(org_id)
    if model is Load:
        return or_(Load.seller_org_id == org_id, Load.buyer_org_id == org_id, Load.carrier_org_id == org_id,
                   Load.id.in_(select(LoadStop.load_id).where(LoadStop.buyer_org_id == org_id)))
    if model is LoadStop:  # seller and carrier see every stop; a buyer its own deliveries and the pickup
        return or_(LoadStop.load_id.in_(_loads_of(org_id, "seller", "carrier")), LoadStop.buyer_org_id == org_id,
                   and_(LoadStop.kind == "pickup", LoadStop.load_id.in_(scoped(Load, principal).with_only_columns(Load.id))))
    if model in MARKET_RULES:
        return MARKET_RULES[model](principal)
    if model in YARD_RULES:
        return YARD_RULES[model](principal)
    if model in SETTLEMENT_PARTIES:  # agreements, bills, payments, disputes, statements: their two parties
        return or_(model.carrier_org_id == org_id, model.payer_org_id == org_id)
    if model is TradingRelationship:
        return or_(TradingRelationship.seller_org_id == org_id, TradingRelationship.buyer_org_id == org_id)
    if model is Organisation:
        return _organisation_visible(principal)
    raise TypeError(f"no scoping rule for {model.__name__}; add one here before exposing it")


def _json_list_contains(column, value: int):
    """``value`` is an element of a JSON array column (JSONB @> on PostgreSQL, json_each on SQLite)."""
    if db.engine.dialect.name == "postgresql":
        return type_coerce(column, JSONB).contains([value])
    items = func.json_each(column).table_valued("value")
    return exists(select(literal_column("1")).select_from(items).where(items.c.value == value))


def _loads_of(org_id: int, *roles):
    return select(Load.id).where(or_(*(getattr(Load, f"{role}_org_id") == org_id for role in roles)))


def _tender_visible(principal: Principal, own=None):
    """Sellers see their tenders, the awarded carrier its own; other carriers see the public board
    (a closed public tender stays visible, so a carrier one moment too late learns it was taken)
    and the private tenders they are invited to. Buyers never see the bidding."""
    org_id = principal.organisation_id
    if own is None:
        own = or_(Tender.seller_org_id == org_id,
                  Tender.id.in_(select(Award.tender_id).where(Award.carrier_org_id == org_id)))
    if principal.org_kind != "carrier":
        return own
    return or_(own, Tender.private.is_(False), _json_list_contains(Tender.preferred_carrier_ids, org_id))


def _bid_visible(principal: Principal):
    org_id = principal.organisation_id
    return or_(Bid.carrier_org_id == org_id,
               Bid.tender_id.in_(select(Tender.id).where(Tender.seller_org_id == org_id)))


def _award_visible(principal: Principal):
    org_id = principal.organisation_id
    return or_(Award.carrier_org_id == org_id, Award.load_id.in_(_loads_of(org_id, "seller", "buyer")))


def _authorization_visible(principal: Principal):
    org_id = principal.organisation_id
    return or_(PickupAuthorization.buyer_org_id == org_id, PickupAuthorization.carrier_org_id == org_id,
               PickupAuthorization.load_id.in_(_loads_of(org_id, "seller")))


MARKET_RULES = {Tender: _tender_visible, Bid: _bid_visible, Award: _award_visible,
                PickupAuthorization: _authorization_visible}


def _appointment_visible(principal: Principal):
    """The load's parties, and the organisation that runs the dock."""
    return or_(DockAppointment.dock_id.in_(select(Dock.id).where(visibility(Dock, principal))),
               DockAppointment.load_id.in_(_loads_of(principal.organisation_id, "seller", "buyer", "carrier")))


def _visit_visible(principal: Principal):
    """The load's parties, and the organisation that runs the site."""
    return or_(YardVisit.site_id.in_(select(Site.id).where(visibility(Site, principal))),
               YardVisit.load_id.in_(_loads_of(principal.organisation_id, "seller", "buyer", "carrier")))


YARD_RULES = {DockAppointment: _appointment_visible, YardVisit: _visit_visible}
SETTLEMENT_PARTIES = (RateAgreement, FreightBill, Payment, Dispute, Statement)


def _own_drivers(principal: Principal):
    return select(Driver.id).where(Driver.user_id == principal.user_id, Driver.organisation_id == principal.organisation_id)


def _assigned_loads(principal: Principal):
    """The loads the signed-in driver drives (none for a driver token without a user)."""
    if principal.user_id is None:
        return select(Load.id).where(false())
    return select(Load.id).where(Load.carrier_org_id == principal.organisation_id,
                                 Load.driver_id.in_(_own_drivers(principal)))


def _on_assigned_loads(column):
    return lambda principal: column.in_(_assigned_loads(principal))


def _driver_orders(principal: Principal):
    return Order.id.in_(select(OrderLine.order_id).join(LoadLine, LoadLine.order_line_id == OrderLine.id)
                        .where(LoadLine.load_id.in_(_assigned_loads(principal))))


def _driver_tenders(principal: Principal):
    return _tender_visible(principal, own=Tender.load_id.in_(_assigned_loads(principal)))


def _driver_bids(principal: Principal):
    return and_(Bid.carrier_org_id == principal.organisation_id,
                Bid.tender_id.in_(select(Tender.id).where(Tender.load_id.in_(_assigned_loads(principal)))))


def _driver_vehicles(principal: Principal):
    return Vehicle.id.in_(select(Load.vehicle_id).where(Load.id.in_(_assigned_loads(principal))))


def _nothing(_principal: Principal):
    return false()


DRIVER_RULES = {
    Load: _on_assigned_loads(Load.id), Order: _driver_orders, Award: _on_assigned_loads(Award.load_id),
    Tender: _driver_tenders, Bid: _driver_bids, PickupAuthorization: _on_assigned_loads(PickupAuthorization.load_id),
    DockAppointment: _on_assigned_loads(DockAppointment.load_id), YardVisit: _on_assigned_loads(YardVisit.load_id),
    LoadStop: _on_assigned_loads(LoadStop.load_id), Vehicle: _driver_vehicles, Driver: lambda principal: Driver.id.in_(_own_drivers(principal)),
    Job: _nothing, DevicePairing: _nothing,
}


def _organisation_visible(principal: Principal):
    """Its own, the other parties of what it sees (orders, loads, tenders, bids), its trading partners
    (a seller's once accepted, a buyer's from their request on), inspection agencies; platform admins: all."""
    org_id = principal.organisation_id
    if principal.org_kind == "platform" and principal.has_any("admin"):
        return true()
    parties = [select(getattr(Load, f"{role}_org_id")).where(visibility(Load, principal))
               for role in ("seller", "buyer", "carrier")]
    parties += [select(getattr(Order, f"{role}_org_id")).where(visibility(Order, principal))
                for role in ("seller", "buyer")]
    parties += [select(Tender.seller_org_id).where(visibility(Tender, principal)),
                select(Bid.carrier_org_id).where(visibility(Bid, principal))]
    if not driver_only(principal):
        parties += [select(TradingRelationship.buyer_org_id).where(TradingRelationship.seller_org_id == org_id,
                                                                   TradingRelationship.status == "accepted"),
                    select(TradingRelationship.seller_org_id).where(TradingRelationship.buyer_org_id == org_id)]
    # Inspection agencies are a public directory: any seller or buyer may find one to appoint.
    return or_(Organisation.id == org_id, Organisation.id.in_(union(*parties)), Organisation.kind == "inspector")


def scoped(model, principal: Principal) -> Select:
    return select(model).where(visibility(model, principal))


def get_scoped_or_404(model, object_id: int, principal: Principal):
    row = None
    if 0 < object_id <= MAX_ID:  # larger ids cannot exist, and SQLite cannot even bind them
        row = db.session.scalar(scoped(model, principal).where(model.id == object_id))
    if row is None:
        raise ApiProblem(404, _("%(name)s %(object_id)s was not found.", name=model.__name__,
                                object_id=object_id))
    return row
