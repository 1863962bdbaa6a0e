"""A plant's KPIs over a run of local days, per day or per carrier, from the visits' history.

* on-time arrival: booked trucks that checked in no later than their slot's start plus the
  site's on-time grace (the slot they held when they came), over all booked arrivals;
* dwell: gate-in (``arrived``) to gate-out (``departed``), mean and 90th percentile (nearest
  rank), over the trucks that left;
* detention: minutes on site beyond the site's free time, summed (and how many trucks);
* dock utilisation: per dock, minutes loading (``loading`` to ``loaded``) over its open minutes.

A truck belongs to the local day it checked in on at the site, and to its load's carrier.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from server.extensions import db
from server.models import Dock, Load, Organisation, Site, YardVisit
from server.yard.booking_rules import rules_of
from server.yard.metrics import _at, _entry, _minutes, open_minutes
from server.yard.site_time import Frame, local_day, zone_of

MAX_DAYS = 92


def _slot(visit: YardVisit) -> datetime | None:
    slot = _entry(visit, "arrived").get("slot")
    return datetime.fromisoformat(slot) if slot else None


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank (a value that occurred), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


class _Group:
    def __init__(self):
        self.trucks = self.booked = self.on_time = self.detained = self.no_shows = 0
        self.dwell: list[float] = []
        self.detention = 0.0
        self.loading: dict[int, float] = defaultdict(float)

    def out(self, docks: list[Dock], open_by_dock: dict[int, int]) -> dict:
        return {"trucks": self.trucks, "departed": len(self.dwell), "no_shows": self.no_shows,
                "booked_arrivals": self.booked, "on_time": self.on_time,
                "on_time_pct": round(100 * self.on_time / self.booked, 1) if self.booked else None,
                "dwell_avg_minutes": round(sum(self.dwell) / len(self.dwell), 1) if self.dwell else None,
                "dwell_p90_minutes": p90(self.dwell),
                "detention_minutes": round(self.detention, 1), "detained_trucks": self.detained,
                "docks": [{"dock_id": d.id, "name": d.name, "loading_minutes": round(self.loading[d.id], 1),
                           "open_minutes": open_by_dock[d.id],
                           "utilisation": round(self.loading[d.id] / open_by_dock[d.id], 3)
                           if open_by_dock[d.id] else None} for d in docks]}


def site_kpis(site: Site, first: date, last: date, group: str, now: datetime) -> dict:
    """The KPIs of the local days ``first`` to ``last`` (inclusive), grouped by ``day`` or ``carrier``."""
    tz, rules = zone_of(site), rules_of(site)
    frame = Frame(tz, first, days=(last - first).days + 1)
    docks = list(db.session.scalars(select(Dock).where(Dock.site_id == site.id).order_by(Dock.id)))
    rows = list(db.session.execute(select(YardVisit, Load).join(Load, Load.id == YardVisit.load_id).where(
        YardVisit.site_id == site.id, YardVisit.created_at < frame.end + timedelta(days=1))))
    grace, free = timedelta(minutes=rules.on_time_grace_minutes), timedelta(minutes=rules.free_minutes)
    groups: dict[object, _Group] = defaultdict(_Group)
    total = _Group()

    def key_of(load: Load, moment: datetime):
        return local_day(tz, moment).isoformat() if group == "day" else load.carrier_org_id

    for visit, load in rows:
        missed = _at(visit, "no_show")
        if missed is not None and frame.start <= missed < frame.end:
            for g in (groups[key_of(load, missed)], total):
                g.no_shows += 1
        if visit.arrived_at is None or not frame.start <= visit.arrived_at < frame.end:
            continue
        slot, departed = _slot(visit), _at(visit, "departed")
        began, loaded = _at(visit, "loading"), _at(visit, "loaded")
        for g in (groups[key_of(load, visit.arrived_at)], total):
            g.trucks += 1
            if slot is not None:
                g.booked += 1
                g.on_time += visit.arrived_at <= slot + grace
            if departed is not None:
                dwell = departed - visit.arrived_at
                g.dwell.append(_minutes(dwell))
                if dwell > free:
                    g.detention += _minutes(dwell - free)
                    g.detained += 1
            if began is not None and visit.called_dock_id is not None:
                g.loading[visit.called_dock_id] += _minutes(min(loaded or now, frame.end) - began)
    period_open = {d.id: open_minutes(d, site, frame) for d in docks}
    out_groups = []
    for key in sorted(groups, key=str):
        if group == "day":
            day_frame = Frame(tz, date.fromisoformat(key), days=1)
            out_groups.append({"day": key, **groups[key].out(docks, {d.id: open_minutes(d, site, day_frame)
                                                                     for d in docks})})
        else:
            carrier = db.session.get(Organisation, key) if key is not None else None
            out_groups.append({"carrier_id": key, "carrier_name": carrier.name if carrier else None,
                               **groups[key].out(docks, period_open)})
    return {"site_id": site.id, "timezone": tz.key, "from": first.isoformat(), "to": last.isoformat(),
            "group": group, "rules": {"on_time_grace_minutes": rules.on_time_grace_minutes,
                                      "free_minutes": rules.free_minutes},
            "total": total.out(docks, period_open), "groups": out_groups}
