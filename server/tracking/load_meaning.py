"""What a vehicle's event means for the load it carries, decided once, against that load's own sites.

For each event of a vehicle the load is the one the vehicle is assigned to (``loads.vehicle_id`` with an
active status, the lowest id), and the decision is made against *that load's* pickup and delivery sites,
not the site's kind:

=====================  ======================  =============================================
pipeline event         at the load's ...       recorded as / status change
=====================  ======================  =============================================
``zone_enter``         pickup site             ``arrived_pickup``; assigned/authorized -> at_pickup
``zone_exit``          pickup site             ``departed_pickup``; up to loading -> in_transit
``zone_enter``         delivery site           ``arrived_delivery`` (status stays: delivered
                                               needs the proof of delivery)
``zone_exit``          delivery site           ``departed_delivery``
``dwell``              either                  ``dwell``
``eta_changed``        next stop               ``eta_changed``; ``loads.eta`` is set
=====================  ======================  =============================================

On a multi-drop load each undelivered delivery stop's site is a delivery site of the load too, so the
truck arriving at (leaving) any buyer's stop is that stop's ``arrived_delivery`` (``departed_delivery``),
at its site, and its buyer's stop-bound link hears it (`server.stops.event_scope`).

The pipeline only reports zones entered and left (`gps_ingest.detect`); this module turns them into the
event rows, the meanings and the status changes of one batch (`read_event`), inside the transaction
the recorder (`server.tracking.events`) opened. Status updates are conditional UPDATEs
(``WHERE status IN (...)``), so a load that moved on by other means (cancelled, delivered) is never
pulled back. New ETAs the yard owns (to the pickup, or any after it when a yard hook is present) are
collected for it rather than written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select, update

from gps_ingest.db_seams import ACTIVE_LOAD_STATUSES
from gps_ingest.model import Event

TO_AT_PICKUP = ("assigned", "authorized")
TO_IN_TRANSIT = ("assigned", "authorized", "at_pickup", "loading")


def row_id(value: str | None) -> int | None:
    """A pipeline id (a string) as a database id, or None when it cannot be one."""
    return int(value) if value is not None and value.isdigit() and 0 < int(value) < 2**31 else None


@dataclass
class BatchMeaning:
    """What one batch of events came to, gathered while it is read and acted on after the commit."""

    rows: list[dict] = field(default_factory=list)  # ``events`` rows, inserted at once
    meanings: list[Event] = field(default_factory=list)  # arrived_pickup ... departed_delivery, with the load
    changes: list[tuple[Event, int, str, str]] = field(default_factory=list)  # (cause, load, previous, status)
    arrivals: list[tuple[int, int, datetime]] = field(default_factory=list)  # (vehicle, pickup site, time)
    etas: list[tuple] = field(default_factory=list)  # ("pickup", load, eta) or ("delivery", load, site, eta)


def active_loads(conn, events: list[Event]) -> dict[int, dict]:
    """Each event vehicle's active load (the lowest id) with its open stops' sites, read in one query for
    the whole batch (a multi-drop load's row once per undelivered delivery stop)."""
    from server.models import Load, LoadStop

    vehicles = sorted({v for v in (row_id(e.vehicle_id) for e in events) if v is not None})
    loads: dict[int, dict] = {}
    if vehicles:
        open_stop = and_(LoadStop.load_id == Load.id, LoadStop.kind == "delivery", LoadStop.status != "delivered")
        for row in conn.execute(
                select(Load.id, Load.status, Load.pickup_site_id, Load.delivery_site_id, Load.vehicle_id,
                       LoadStop.site_id.label("stop_site"))
                .outerjoin(LoadStop, open_stop)
                .where(Load.vehicle_id.in_(vehicles), Load.status.in_(ACTIVE_LOAD_STATUSES))
                .order_by(Load.id)):
            fields = row._asdict()
            stop_site = fields.pop("stop_site")
            load = loads.setdefault(row.vehicle_id, {**fields, "stop_sites": set()})
            if load["id"] == row.id and stop_site is not None:  # a multi-drop load's stops are deliveries too
                load["stop_sites"].add(stop_site)
    return loads


def read_event(conn, event: Event, loads: dict[int, dict], batch: BatchMeaning, yard_takes_etas: bool) -> None:
    """Add ``event``'s rows, meaning and status change to ``batch``; ``loads`` is updated as statuses move."""
    from server.models import Load

    vehicle_id, site_id = row_id(event.vehicle_id), row_id(event.site_id)
    if vehicle_id is None:
        return
    load = loads.get(vehicle_id)
    if load is None and vehicle_id in loads:  # a status update here lost a race: read it again
        load = active_loads(conn, [event]).get(vehicle_id)
        loads[vehicle_id] = load
    kinds = [(event.kind, None)]
    change = None
    if load is not None:
        semantic, targets, new_status = meaning(event.kind, site_id, load)
        if semantic is not None:
            kinds = [(event.kind, None), (semantic, load["id"])]
            batch.meanings.append(Event(event.vehicle_id, semantic, event.time, event.site_id,
                                        {**event.data, "load_id": load["id"]}))
            if semantic == "arrived_pickup":
                batch.arrivals.append((vehicle_id, site_id, event.time))
        elif event.kind in ("dwell", "eta_changed") and (site_id in (load["pickup_site_id"],
                                                                      load["delivery_site_id"])
                                                          or site_id in load["stop_sites"]):
            kinds = [(event.kind, load["id"])]
        if event.kind == "eta_changed" and event.data.get("eta"):
            _new_eta(conn, event, load, site_id, batch, yard_takes_etas)
        if new_status is not None:
            done = conn.execute(update(Load).where(Load.id == load["id"], Load.status.in_(targets))
                                .values(status=new_status)).rowcount
            if done:
                change = (event, load["id"], load["status"], new_status)
                batch.changes.append(change)
                kinds.append(("status_changed", load["id"]))
                load["status"] = new_status  # what a fresh read would now say, for the next event
            else:
                loads[vehicle_id] = None  # moved on by other means; the next event reads it again
    for kind, load_id in kinds:
        data = dict(event.data)
        if kind == "status_changed":
            data = {"previous": change[2], "status": change[3], "cause": event.kind}
        batch.rows.append({"kind": kind, "time": event.time, "vehicle_id": vehicle_id, "load_id": load_id,
                           "site_id": site_id, "data": data})


def _new_eta(conn, event: Event, load: dict, site_id: int | None, batch: BatchMeaning, yard_takes_etas: bool) -> None:
    from server.models import Load

    to_pickup = load["status"] in TO_IN_TRANSIT
    eta = datetime.fromisoformat(event.data["eta"])
    if not to_pickup and yard_takes_etas and site_id is not None:
        # The app stores it (the load's, or a multi-drop stop's at that site) and tells of a delay.
        batch.etas.append(("delivery", load["id"], site_id, eta))
    elif site_id == (load["pickup_site_id"] if to_pickup else load["delivery_site_id"]):
        if to_pickup and yard_takes_etas:
            batch.etas.append(("pickup", load["id"], eta))  # the yard stores it and moves the slot if needed
        else:
            conn.execute(update(Load).where(Load.id == load["id"]).values(eta=eta))


def meaning(kind: str, site_id: int | None, load) -> tuple[str | None, tuple[str, ...], str | None]:
    """(semantic event, statuses it may move from, new status) for an event at ``site_id``."""
    if site_id is None:
        return None, (), None
    if site_id == load["pickup_site_id"]:
        if kind == "zone_enter":
            return "arrived_pickup", TO_AT_PICKUP, "at_pickup"
        if kind == "zone_exit":
            return "departed_pickup", TO_IN_TRANSIT, "in_transit"
    if site_id == load["delivery_site_id"] or site_id in load.get("stop_sites", ()):
        if kind == "zone_enter":
            return "arrived_delivery", (), None
        if kind == "zone_exit":
            return "departed_delivery", (), None
    return None, (), None
