"""Tenant scoping, in one place.

Every API read goes through ``scoped()`` or ``get_scoped_or_404()``. Objects an
organisation owns (sites, fleet, users, tokens) are visible to that organisation;
shipments (orders, loads) are visible to their parties only: seller, buyer and the
awarded carrier. Anything else answers 404, so not even its existence leaks.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, func, literal_column, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from server.auth.principal import Principal
from server.db.types import MAX_ID
from server.errors import ApiProblem
from server.extensions import db
from server.models import (
    ApiToken,
    Award,
    Bid,
    DeviceCredential,
    DevicePairing,
    Dispute,
    Dock,
    Driver,
    FreightBill,
    Job,
    Load,
    Order,
    Payment,
    PickupAuthorization,
    RateAgreement,
    Site,
    Statement,
    Tender,
    User,
    Vehicle,
    VehicleType,
    Webhook,
)
from server.models.loads import LoadLine
from server.models.orders import OrderLine
from server.models.yard import DockAppointment, YardVisit

OWNED = {Site: Site.organisation_id, Vehicle: Vehicle.organisation_id, Driver: Driver.organisation_id,
         VehicleType: VehicleType.organisation_id, User: User.organisation_id,
         ApiToken: ApiToken.organisation_id, Webhook: Webhook.organisation_id,
         Job: Job.organisation_id, DevicePairing: DevicePairing.organisation_id,
         DeviceCredential: DeviceCredential.organisation_id}


def _order_visible(org_id: int):
    carried = (
        select(OrderLine.order_id)
        .join(LoadLine, LoadLine.order_line_id == OrderLine.id)
        .join(Load, Load.id == LoadLine.load_id)
        .where(Load.carrier_org_id == org_id)
    )
    return or_(Order.seller_org_id == org_id, Order.buyer_org_id == org_id, Order.id.in_(carried))


def visibility(model, principal: Principal):
    """The WHERE clause that limits ``model`` to what the principal may see."""
    org_id = principal.organisation_id
    if model in OWNED:
        return OWNED[model] == org_id
    if model is Dock:
        return Dock.site_id.in_(select(Site.id).where(Site.organisation_id == org_id))
    if model is Order:
        return _order_visible(org_id)
    if model is Load:
        return or_(Load.seller_org_id == org_id, Load.buyer_org_id == org_id, Load.carrier_org_id == org_id)
    if model in MARKET_RULES:
        return MARKET_RULES[model](principal)
    if model in YARD_RULES:
        return YARD_RULES[model](principal)
    if model in SETTLEMENT_PARTIES:  # agreements, bills, payments, disputes, statements: their two parties
        return or_(model.carrier_org_id == org_id, model.payer_org_id == org_id)
    raise TypeError(f"no scoping rule for {model.__name__}; add one here before exposing it")


def _json_list_contains(column, value: int):
    """``value`` is an element of a JSON array column (JSONB @> on PostgreSQL, json_each on SQLite)."""
    if db.engine.dialect.name == "postgresql":
        return type_coerce(column, JSONB).contains([value])
    items = func.json_each(column).table_valued("value")
    return exists(select(literal_column("1")).select_from(items).where(items.c.value == value))


def _loads_of(org_id: int, *roles):
    return select(Load.id).where(or_(*(getattr(Load, f"{role}_org_id") == org_id for role in roles)))


def _tender_visible(principal: Principal):
    """Sellers see their tenders, the awarded carrier its own; other carriers see the public board
    (a closed public tender stays visible, so a carrier one moment too late learns it was taken)
    and the private tenders they are invited to. Buyers never see the bidding."""
    org_id = principal.organisation_id
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


def scoped(model, principal: Principal) -> Select:
    return select(model).where(visibility(model, principal))


def get_scoped_or_404(model, object_id: int, principal: Principal):
    row = None
    if 0 < object_id <= MAX_ID:  # larger ids cannot exist, and SQLite cannot even bind them
        row = db.session.scalar(scoped(model, principal).where(model.id == object_id))
    if row is None:
        raise ApiProblem(404, f"{model.__name__} {object_id} was not found.")
    return row
