"""What several pages and their live fragments share: who may see them, the clock, and the
contexts of the seller's and the carrier's dashboards."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _

from server.auth.object_permissions import allowed
from server.auth.principal import principal_from_session
from server.web import views, yard_view


def principal_of_kind(*kinds: str):
    """The signed-in principal, or a 403 page when its organisation is of another kind."""
    principal = principal_from_session()
    if principal is None:
        abort(403, description=_("Sign in again: your organisation is not active."))
    if kinds and principal.org_kind not in kinds:
        abort(403, description=_("This dashboard belongs to another kind of organisation."))
    return principal


def now():
    from server import clock

    return clock.now()


def seller_context(principal, site_id: int | None = None, day_text: str | None = None) -> dict:
    sites = yard_view.own_sites(principal)
    site = yard_view.pick_site(sites, site_id)
    moment = now()
    loads = views.loads_of(principal, role="seller")
    return {"orders": views.orders_of(principal), "loads": views.load_rows(loads, with_tenders=True,
                                                                           with_evidence=True),
            # The tender form offers only the drafts the API would let this person tender (a department role counts).
            "draft_loads": [load for load in loads if load.status == "draft" and allowed(principal, "open_tenders", load)],
            "sites": sites, "site": site,
            "docks": yard_view.dock_chart(site, yard_view.parse_day(day_text), moment) if site else None,
            "queue": yard_view.queue(site, moment) if site else None,
            "kpis": yard_view.kpis(site, moment) if site else None,
            "map_vehicles": views.map_vehicles(loads), "relationships": views.trading(principal)}


def carrier_context(principal) -> dict:
    mine = views.loads_of(principal, role="carrier")
    return {"board": views.board(principal, now()), "results": views.board_results(principal, now()),
            "awards": views.assignable_rows(principal, mine),
            "plannable": [load for load in mine if load.status in views.PLANNABLE],
            "vehicles": views.fleet(principal), "drivers": views.drivers_of(principal),
            "suspended_devices": views.suspended_devices(principal), "map_vehicles": views.map_vehicles(mine)}


