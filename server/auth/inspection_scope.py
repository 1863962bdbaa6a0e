"""What an independent inspection organisation sees: the loads it is appointed to, and nothing else.

An inspector is no party to the trade: it sees an appointed load (and its evidence, through the load),
its own rows, and the organisations of its loads; every other object answers 404, so not even its
existence leaks. Appointments are seen by the inspector and by the load's seller and buyer.
"""

from __future__ import annotations

from sqlalchemy import false, or_, select, union

from server.auth.principal import Principal
from server.models import InspectionAppointment, Load, Organisation

INSPECTOR = "inspector"


def is_inspector(principal: Principal) -> bool:
    return principal.org_kind == INSPECTOR


def appointed_loads(org_id: int):
    return select(InspectionAppointment.load_id).where(InspectionAppointment.inspector_org_id == org_id,
                                                       InspectionAppointment.withdrawn_at.is_(None))


def inspector_visibility(model, principal: Principal, owned: dict):
    """The WHERE clause of ``model`` for an inspector's principal."""
    org_id = principal.organisation_id
    if model in owned:
        return owned[model] == org_id
    if model is Load:
        return Load.id.in_(appointed_loads(org_id))
    if model is InspectionAppointment:
        return InspectionAppointment.inspector_org_id == org_id
    if model is Organisation:
        parties = [select(getattr(Load, f"{role}_org_id")).where(Load.id.in_(appointed_loads(org_id)))
                   for role in ("seller", "buyer")]
        return or_(Organisation.id == org_id, Organisation.id.in_(union(*parties)))
    return false()


def appointment_visibility(principal: Principal):
    """Appointments of loads the caller trades (seller or buyer), and its own as the inspector."""
    org_id = principal.organisation_id
    traded = select(Load.id).where(or_(Load.seller_org_id == org_id, Load.buyer_org_id == org_id))
    return or_(InspectionAppointment.inspector_org_id == org_id, InspectionAppointment.load_id.in_(traded))
