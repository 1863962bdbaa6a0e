"""Which clock a time on a page is read on: the site the time belongs to, shown with its zone.

A load's pickup times are read at its pickup site, its delivery times at its delivery site (a buyer's
own stop at that stop's site), and an event at the site it happened at; the template names the site
(``value|site_time(site_id)``), and the zone comes from the site's setting (``server.local_times``).
A time that belongs to no site (an audit entry, a token's expiry) is read on the viewer's own clock:
the zone of the first site of the signed-in organisation, else UTC; it is always shown with its zone.
Zones are read once per request.
"""

from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from server.extensions import db
from server.local_times import page_text, zone
from server.models import Load, Site

FORMAT = "%Y-%m-%d %H:%M"


def _cache() -> dict:
    if not has_request_context():
        return {}
    if "site_zones" not in g:
        g.site_zones = {}
    return g.site_zones


def site_zone_name(site_id: int | None) -> str:
    """The IANA zone of the site; the viewer's own clock when the time has no site (UTC for an unknown one)."""
    if site_id is None:
        return home_zone_name()
    cache = _cache()
    if site_id not in cache:
        cache[site_id] = db.session.scalar(select(Site.timezone).where(Site.id == site_id)) or "UTC"
    return cache[site_id]


def home_zone_name() -> str:
    """The signed-in organisation's clock: its first site's zone; UTC when there is no session or site."""
    cache = _cache()
    if "home" not in cache:
        org_id = getattr(current_user, "organisation_id", None) if has_request_context() else None
        cache["home"] = (db.session.scalar(select(Site.timezone).where(Site.organisation_id == org_id)
                                           .order_by(Site.id).limit(1)) if org_id is not None else None) or "UTC"
    return cache["home"]


def site_time(value, site_id: int | None, fmt: str = FORMAT) -> str:
    """``value`` on the clock of site ``site_id``, with its zone (``2030-06-03 10:37 CEST``); ``–`` for none."""
    return page_text(value, zone(site_zone_name(site_id)), fmt)


def when(value, fmt: str = FORMAT) -> str:
    """A time that belongs to no site, on the viewer's own clock with its zone; ``–`` for none."""
    return page_text(value, zone(home_zone_name()), fmt)


def eta_site(load: Load) -> int:
    """The site a load's ETA is to: the delivery once the goods are on the road, else the pickup."""
    return load.delivery_site_id if load.status == "in_transit" else load.pickup_site_id
