"""Pages for people: the start page, each role's dashboard and one load's page (HTML errors: ``errors``).

Every dashboard is rendered on the server from the same scoped reads as the API; the small
scripts in ``static/js`` then keep its sections live (Socket.IO events re-fetch the section's
HTML from `server.web.fragments`) and send its forms to the REST API with the session cookie.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from server.errors import ApiProblem
from server.extensions import db
from server.models import Load, Order, Organisation, Site, Vehicle
from server.web import labels, load_view, views
from server.web.context import carrier_context, principal_of_kind, seller_context
from server.web.errors import register_html_errors

blp = Blueprint("pages", __name__, template_folder="templates")
labels.register(blp)
register_html_errors(blp)

DASHBOARD_BY_KIND = {"seller": "pages.seller", "buyer": "pages.buyer", "carrier": "pages.carrier",
                     "platform": "pages.admin", "inspector": "pages.organisation.inspector"}


@blp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(DASHBOARD_BY_KIND[current_user.organisation.kind]))
    counts = {label: db.session.scalar(select(func.count()).select_from(model))
              for label, model in (("organisations", Organisation), ("sites", Site), ("vehicles", Vehicle),
                                   ("orders", Order), ("loads", Load))}
    return render_template("index.html", counts=counts)


@blp.get("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}


@blp.get("/seller")
@login_required
def seller():
    principal = principal_of_kind("seller")
    context = seller_context(principal, request.args.get("site", type=int), request.args.get("day"))
    return render_template("seller.html", **context)


@blp.get("/buyer")
@login_required
def buyer():
    principal = principal_of_kind("buyer")
    loads = views.loads_of(principal, role="buyer")
    return render_template("buyer.html", loads=views.load_rows(loads), orders=views.orders_of(principal),
                           map_vehicles=views.map_vehicles(loads),
                           events=views.recent_events([load.id for load in loads]),
                           relationships=views.trading(principal))


@blp.get("/carrier")
@login_required
def carrier():
    principal = principal_of_kind("carrier")
    return render_template("carrier.html", **carrier_context(principal))


@blp.get("/admin")
@login_required
def admin():
    principal_of_kind("platform")
    return render_template("admin.html", **views.admin_lists())


@blp.get("/loads/<int:load_id>")
@login_required
def load_page(load_id: int):
    principal = principal_of_kind()
    try:
        context = load_view.detail(principal, load_id)
    except ApiProblem as exc:  # not a party: the load does not exist for this user
        abort(exc.status, description=exc.detail)
    return render_template("load.html", **context)


@blp.app_context_processor
def _page_globals():
    # Leaflet's tile server; an empty value draws the map without tiles (tests, offline sites).
    tiles = current_app.config.get("HAUL_MAP_TILES")
    if tiles is None:
        import os

        tiles = os.environ.get("HAUL_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    return {"map_tiles": tiles}


@blp.app_template_global("error_title")
def _error_title(status: int) -> str:
    from server.web.i18n import error_title

    return error_title(status)


# The live sections of these pages; nested so that registering the pages registers them too.
from server.web.fragments import blp as _fragments  # noqa: E402
from server.web.organisation_pages import blp as _organisation  # noqa: E402
from server.web.settlement_pages import blp as _settlement  # noqa: E402

blp.register_blueprint(_fragments)
blp.register_blueprint(_organisation)
blp.register_blueprint(_settlement)
