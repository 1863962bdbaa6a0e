"""Live sections of the dashboards as HTML fragments, under ``/fragments/...``.

A section of a page is a partial template; the page includes it on first paint, and when a
Socket.IO event says the section changed, ``haul.js`` fetches it again from here and swaps it
in. So the HTML is rendered in one place (Jinja) and the browser scripts stay small. Every
fragment applies the same role and party checks as its page.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from server.auth.principal import current_principal
from server.auth.scoping import get_scoped_or_404
from server.errors import ApiProblem
from server.models import Job, Site
from server.planning import load_plans, route_plans
from server.web import load_view, views, yard_view
from server.web.context import carrier_context, now, principal_of_kind
from server.web.stops_view import follow_own_stops, own_stop_events

blp = Blueprint("fragments", __name__, url_prefix="/fragments", template_folder="templates")


def _fragment(template: str, **context):
    response = render_template(template, **context)
    return response, 200, {"Cache-Control": "no-store"}


def _own_site(principal, site_id: int) -> Site:
    site = next((s for s in yard_view.own_sites(principal) if s.id == site_id), None)
    if site is None:
        abort(404, description=_("Site %(site_id)s was not found.", site_id=site_id))
    return site


@blp.get("/seller/orders")
@login_required
def seller_orders():
    principal = principal_of_kind("seller")
    return _fragment("_orders_table.html", orders=views.orders_of(principal), selectable=True)


@blp.get("/seller/loads")
@login_required
def seller_loads():
    principal = principal_of_kind("seller")
    loads = views.loads_of(principal, role="seller")
    return _fragment("_seller_loads.html", loads=views.load_rows(loads, with_tenders=True, with_evidence=True))


@blp.get("/docks/<int:site_id>")
@login_required
def docks(site_id: int):
    principal = principal_of_kind("seller")
    site = _own_site(principal, site_id)
    return _fragment("_gantt.html", docks=yard_view.dock_chart(site, yard_view.parse_day(request.args.get("day")),
                                                               now()))


@blp.get("/queue/<int:site_id>")
@login_required
def queue(site_id: int):
    principal = principal_of_kind("seller")
    return _fragment("_yard_queue.html", queue=yard_view.queue(_own_site(principal, site_id), now()))


def _own_job(job_id: int, principal, check_kind) -> Job:
    """The caller's job of the kind the planning service checks, or the HTML 404 page."""
    try:
        return check_kind(get_scoped_or_404(Job, job_id, principal))
    except ApiProblem as exc:
        abort(404, description=exc.detail)


@blp.get("/kpis/<int:site_id>")
@login_required
def kpis(site_id: int):
    principal = principal_of_kind("seller")
    return _fragment("_plant_kpis.html", kpis=yard_view.kpis(_own_site(principal, site_id), now()))


@blp.get("/load-plan/<int:plan_id>")
@login_required
def load_plan(plan_id: int):
    principal = principal_of_kind("seller")
    job = _own_job(plan_id, principal, load_plans.check_kind)
    plan = (job.result or {}).get("plan") or {}
    order_ids = {int(a["order_id"]) for load in plan.get("loads", []) for a in load["allocations"]}
    order_ids |= {int(u["order_id"]) for u in plan.get("unplaced", [])}
    from server.models import Order

    refs = views.names_of(Order, order_ids, "reference")
    return _fragment("_load_plan.html", job=job, plan=plan, refs=refs,
                     committed=bool((job.params or {}).get("committed_at")))


@blp.get("/buyer/loads")
@login_required
def buyer_loads():
    principal = principal_of_kind("buyer")
    return _fragment("_loads_table.html", loads=follow_own_stops(views.load_rows(views.loads_of(principal, role="buyer")),
                                                                 principal))


@blp.get("/buyer/events")
@login_required
def buyer_events():
    principal = principal_of_kind("buyer")
    loads = views.loads_of(principal, role="buyer")
    return _fragment("_events.html", events=own_stop_events(views.recent_events([load.id for load in loads]), loads,
                                                            principal))


@blp.get("/trading")
@login_required
def trading():
    principal = principal_of_kind("seller", "buyer")
    return _fragment("_trading.html", relationships=views.trading(principal), side=principal.org_kind)


@blp.get("/carrier/board")
@login_required
def carrier_board():
    principal = principal_of_kind("carrier")
    moment = now()
    return _fragment("_board.html", board=views.board(principal, moment), results=views.board_results(principal, moment))


@blp.get("/carrier/awards")
@login_required
def carrier_awards():
    principal = principal_of_kind("carrier")
    return _fragment("_awards.html", **carrier_context(principal))


@blp.get("/carrier/route-plan/<int:job_id>")
@login_required
def route_plan(job_id: int):
    principal = principal_of_kind("carrier")
    job = _own_job(job_id, principal, route_plans.check_kind)
    from server.web.routes_view import route_plan_view

    return _fragment("_route_plan.html", plan=route_plan_view(job))


LOAD_SECTIONS = {"timeline": "_load_timeline.html", "evidence": "_load_evidence.html",
                 "authorizations": "_load_authorizations.html", "links": "_load_links.html",
                 "yard": "_load_yard.html", "facts": "_load_facts.html"}


@blp.get("/loads/<int:load_id>/<section>")
@login_required
def load_section(load_id: int, section: str):
    template = LOAD_SECTIONS.get(section)
    if template is None:
        abort(404, description=_("No such section."))
    principal = principal_of_kind()
    try:
        context = load_view.detail(principal, load_id)
    except ApiProblem as exc:
        abort(exc.status, description=exc.detail)
    return _fragment(template, **context)


@blp.get("/admin/tokens")
@login_required
def admin_tokens():
    principal_of_kind("platform")
    return _fragment("_admin_tokens.html", tokens=views.erp_tokens(current_principal()), now=now())


@blp.get("/admin/lists")
@login_required
def admin_lists():
    principal_of_kind("platform")
    return _fragment("_admin_lists.html", **views.admin_lists())
