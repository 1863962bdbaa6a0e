"""What happens to a shipment after the award, told to its parties as notifications (``publish_event``).

Each function is called once its change is committed, with the load; it decides who is told and
with which plain data (a reference and times, never another party's details). What the driver of the
load needs (its slot, the call to the dock, a missed slot, a refusal at the gate, being put on or taken
off the load) also goes to the driver's own user (``driver_id``; see ``driver_notices``). The Socket.IO
updates of the same changes stay with their stages (``yard.notify``, ``tracking``).
"""

from __future__ import annotations

from server.models import Load
from server.notify.publish import publish_event


def _base(load: Load) -> dict:
    return {"load_id": load.id, "reference": load.reference}


def _parties(load: Load) -> list[int]:
    return [load.seller_org_id, load.buyer_org_id, load.carrier_org_id]


def slot_changed(load: Load, site_org_id: int | None, why: str, start, details: dict | None = None) -> None:
    """A dock slot was booked, moved (by a re-plan or the plant) or cancelled: the plant and the carrier.

    ``details`` is the slot as the yard shows it (ISO UTC, the site's zone and local times)."""
    kind = "dock_scheduled" if why == "booked" else "dock_rescheduled"
    publish_event(kind, organisation_ids=[site_org_id, load.seller_org_id, load.carrier_org_id], load_id=load.id,
                  data={**(details or {}), **_base(load), "why": why, "start": start}, driver_id=load.driver_id)


VISIT_KINDS = {"arrived": "arrived", "called": "called", "loading": "loading", "departed": "departed",
               "no_show": "slot_missed"}
DRIVER_VISIT_KINDS = ("called", "slot_missed")  # the steps the driver must act on


def visit_step(load: Load, site_org_id: int | None, status: str) -> None:
    """A truck's visit at the plant moved on (arrived, called, loading, departed, or missed its slot)."""
    kind = VISIT_KINDS.get(status)
    if kind is None:
        return
    told = [site_org_id, load.seller_org_id, load.carrier_org_id]
    if kind in ("arrived", "departed", "slot_missed"):
        told.append(load.buyer_org_id)
    publish_event(kind, organisation_ids=told, load_id=load.id, data={**_base(load), "status": status},
                  driver_id=load.driver_id if kind in DRIVER_VISIT_KINDS else None)


def gate_refused(load: Load, site_org_id: int | None, site_id: int, reason: str) -> None:
    """The gate refused the truck (``reason`` is the refusal's code): an ``exception`` at the gate, told to
    the plant, the seller, the buyer, the carrier and the load's driver."""
    publish_event("exception", organisation_ids=[site_org_id, *_parties(load)], load_id=load.id,
                  data={**_base(load), "at": "gate", "reason": reason, "site_id": site_id}, driver_id=load.driver_id)


def driver_assigned(load: Load, driver_id: int, details: dict) -> None:
    """The carrier put a driver on the load: that driver alone is told (the office made the change)."""
    publish_event("driver_assigned", organisation_ids=[], load_id=load.id, data={**details, **_base(load)},
                  driver_id=driver_id)


def driver_unassigned(load: Load, driver_id: int | None) -> None:
    """A driver was taken off the load (another driver, or the award given back): that driver alone is told."""
    if driver_id is not None:
        publish_event("driver_unassigned", organisation_ids=[], load_id=load.id, data=_base(load),
                      driver_id=driver_id)


def delivered(load: Load, pod_id: int, exceptions: int) -> None:
    """Proof of delivery was recorded: every party is told the load is delivered, with its proof."""
    publish_event("delivered", organisation_ids=_parties(load), load_id=load.id,
                  data={**_base(load), "pod_id": pod_id, "exceptions": exceptions})


def delayed(load: Load, at: str, eta, latest, buyer_org_ids: list[int | None], stop_id: int | None = None) -> None:
    """The ETA to the pickup or a delivery (``at``) crossed that window's end: the seller and ``buyer_org_ids``
    (on a multi-drop load the late stop's buyer only) are told the new ETA and the window's latest time."""
    data = {**_base(load), "at": at, "eta": eta, "latest": latest}
    if stop_id is not None:
        data["stop_id"] = stop_id
    publish_event("delayed", organisation_ids=[load.seller_org_id, *buyer_org_ids], load_id=load.id, data=data)
