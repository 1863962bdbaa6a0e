"""The stops of a multi-drop load on the load page and the dashboards.

A buyer on a multi-drop load sees its own stop (where, when, what, ETA, proof of delivery) in
place of the load's delivery facts; the seller and the carrier see every stop. Evidence and
timeline entries of another buyer's stop are left out for a buyer (``stops.views.visible_entries``).
"""

from __future__ import annotations

from sqlalchemy import select

from server.auth.principal import Principal
from server.extensions import db
from server.models import Load, LoadStop, Organisation, Site
from server.stops.delivery import pod_of
from server.stops.event_scope import StopScope
from server.stops.views import is_multi_drop, sees_whole_load, stops_of
from server.tracking.load_state import stop_state
from server.web.views import names_of


def is_stop_buyer(load: Load, principal: Principal) -> bool:
    return db.session.scalar(select(LoadStop.id).where(LoadStop.load_id == load.id,
                                                       LoadStop.buyer_org_id == principal.organisation_id)
                             .limit(1)) is not None


def page_stops(load: Load, principal: Principal) -> dict:
    """``stops`` (what the caller may see, with names, time zones and proofs) and ``own_stop`` (a buyer's, else None)."""
    if not is_multi_drop(load.id):
        return {"stops": [], "own_stop": None}
    stops = stops_of(load, principal)
    # A stop's window is read on its site's clock, as the load's pickup and delivery are.
    sites = {row.id: row for row in db.session.execute(
        select(Site.id, Site.name, Site.timezone).where(Site.id.in_({s.site_id for s in stops})))}
    buyers = names_of(Organisation, [s.buyer_org_id for s in stops if s.buyer_org_id])
    rows = [{"stop": s, "site": sites[s.site_id].name, "timezone": sites[s.site_id].timezone,
             "buyer": buyers.get(s.buyer_org_id),
             "pod": pod_of(s) if s.kind == "delivery" else None} for s in stops]
    own = None
    if not sees_whole_load(load, principal):
        own = next((r for r in rows if r["stop"].kind == "delivery"
                    and r["stop"].buyer_org_id == principal.organisation_id), None)
    return {"stops": rows, "own_stop": own}



def follow_own_stops(rows: list[dict], principal: Principal) -> list[dict]:
    """Dashboard rows (`views.load_rows`) as a buyer with stops sees them: on a multi-drop load its own stop's
    state (delivered at its own proof, the ETA to its stop) and its stop's site as the destination, never the
    load's (another buyer's). Other rows are left as they are."""
    ids = [row["load"].id for row in rows]
    if not ids:
        return rows
    own: dict[int, LoadStop] = {}
    for stop in db.session.scalars(select(LoadStop).where(
            LoadStop.load_id.in_(ids), LoadStop.kind == "delivery",
            LoadStop.buyer_org_id == principal.organisation_id).order_by(LoadStop.seq)):
        own.setdefault(stop.load_id, stop)
    if not own:
        return rows
    sites = names_of(Site, [stop.site_id for stop in own.values()])
    for row in rows:
        stop = own.get(row["load"].id)
        if stop is not None and not sees_whole_load(row["load"], principal):
            row.update(state=stop_state(row["load"], stop), delivery=sites.get(stop.site_id), eta_site=stop.site_id)
    return rows


def own_stop_events(events: list[dict], loads: list[Load], principal: Principal) -> list[dict]:
    """A buyer's recent events (`views.recent_events`) without another buyer's on a multi-drop load: the same
    `StopScope` rule as its load page's timeline and its live rooms."""
    mine = [load.id for load in loads if not sees_whole_load(load, principal)]
    if not mine:
        return events
    rows: dict[int, list] = {}
    for stop in db.session.execute(select(LoadStop.load_id, LoadStop.id, LoadStop.site_id, LoadStop.buyer_org_id)
                                   .where(LoadStop.load_id.in_(mine))):
        rows.setdefault(stop.load_id, []).append((stop.id, stop.site_id, stop.buyer_org_id))
    scopes = {load_id: StopScope.of(stops, principal.organisation_id) for load_id, stops in rows.items()}
    return [row for row in events if row["event"].load_id not in scopes
            or scopes[row["event"].load_id].shows(row["event"].site_id, row["event"].data)]
