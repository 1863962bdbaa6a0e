"""Every dock slot booked, moved or cancelled leaves an audit event (``server.audit.trail``), in the change's
transaction: by the person who did it, or by the system on behalf of the site's organisation (a re-plan,
the day's plan, a late truck's new slot)."""

from __future__ import annotations

from server.audit.trail import record
from server.auth.principal import Principal
from server.models import DockAppointment, Load, Site


def slot_view(row: DockAppointment | None) -> dict | None:
    """What the trail keeps of an appointment."""
    if row is None:
        return None
    return {"load_id": row.load_id, "dock_id": row.dock_id, "start": row.start, "end": row.end}


def slot_changed(load: Load, old: DockAppointment | None, new: DockAppointment | None, *,
                 principal: Principal | None = None, site: Site | None = None) -> None:
    """``slot.booked`` (no old one), ``slot.moved`` (old and new) or ``slot.cancelled`` (no new one)."""
    if old is None and new is None:
        return
    action = "slot.cancelled" if new is None else "slot.moved" if old is not None else "slot.booked"
    acting_org = principal.organisation_id if principal is not None else site.organisation_id if site else None
    # The other side: the carrier when the plant acts, the load's seller when the carrier does.
    counterparty = load.carrier_org_id if acting_org == load.seller_org_id else load.seller_org_id
    record(action, "dock_appointment", (new or old).id, principal=principal, organisation_id=acting_org,
           counterparty_org_id=counterparty, before=slot_view(old), after=slot_view(new))
