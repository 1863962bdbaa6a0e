"""The seller's plant on one screen: the dock schedule as a Gantt chart and the live yard queue.

The data are the same as ``GET /api/v1/sites/<id>/appointments`` and ``/queue`` answer; the chart
geometry comes from `server.web.gantt`. The day is the site's local day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from server.auth.principal import Principal
from server.auth.scoping import scoped
from server.extensions import db
from server.models import Dock, Load, Site
from server.web.gantt import build_chart, utc_offset
from server.web.views import names_of


def own_sites(principal: Principal) -> list[Site]:
    """The sites with docks that the caller's organisation runs."""
    sites = db.session.scalars(scoped(Site, principal).where(Site.organisation_id == principal.organisation_id)
                               .order_by(Site.id))
    return [site for site in sites if site.docks]


def pick_site(sites: list[Site], wanted: int | None) -> Site | None:
    for site in sites:
        if site.id == wanted:
            return site
    return sites[0] if sites else None


def parse_day(text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` from the query string, or None when absent or not a sane date."""
    try:
        value = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return value if value is not None and date(2000, 1, 1) <= value < date(2100, 1, 1) else None


def dock_chart(site: Site, day: date | None, now: datetime) -> dict:
    """The site's docks and appointments on ``day`` (default: today at the site), as chart rows."""
    from server.yard.engine_input import appointments_overlapping
    from server.yard.notify import appointment_view
    from server.yard.site_time import Frame, local_day, zone_of

    tz = zone_of(site)
    day = day or local_day(tz, now)
    frame = Frame(tz, day, days=1)
    docks = list(db.session.scalars(select(Dock).where(Dock.site_id == site.id, Dock.active.is_(True))
                                    .order_by(Dock.id)))
    appointments = [appointment_view(a) for a in appointments_overlapping([d.id for d in docks], frame.start,
                                                                           frame.end)]
    labels = names_of(Load, [a["load_id"] for a in appointments], "reference")
    chart = build_chart(frame.start, frame.end, tz, docks, appointments, labels, now=now)
    booked = [(bar.load_id, f"{bar.label} · {row.dock_name} {bar.start_local}") for row in chart.rows for bar in row.bars
              if bar.status == "booked"]
    return {"site": site, "chart": chart, "docks": docks, "day": day, "booked": booked, "offset": utc_offset(tz, frame.start),
            "prev_day": date.fromordinal(day.toordinal() - 1), "next_day": date.fromordinal(day.toordinal() + 1)}


def queue(site: Site, now: datetime) -> dict:
    from server.yard.queue import queue_entries

    entries = queue_entries(site.id, now)
    docks = list(db.session.scalars(select(Dock).where(Dock.site_id == site.id, Dock.active.is_(True))
                                    .order_by(Dock.id)))
    return {"site": site, "entries": entries, "docks": docks}


def kpis(site: Site, now: datetime) -> dict:
    """The plant's KPIs of the last seven local days, per day and per carrier (``GET .../kpis``)."""
    from datetime import timedelta

    from server.yard.kpis import site_kpis
    from server.yard.site_time import local_day, zone_of

    last = local_day(zone_of(site), now)
    first = last - timedelta(days=6)
    return {"site": site, "by_day": site_kpis(site, first, last, "day", now),
            "by_carrier": site_kpis(site, first, last, "carrier", now)}
