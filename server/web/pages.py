"""Pages for people: the start page, each role's dashboard and one load's page (HTML errors: ``errors``).

Every dashboard is rendered on the server from the same scoped reads as the API; the small
scripts in ``static/js`` then keep its sections live (Socket.IO events re-fetch the section's
HTML from `server.web.fragments`) and send its forms to the REST API with the session cookie.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from server.config import map_tiles_url
from server.errors import ApiProblem
from server.extensions import db
from server.models import EmailSettings, Load, Order, Organisation, Site, Vehicle
from server.web import labels, load_view, may, views
from server.web.context import carrier_context, now, principal_of_kind, seller_context
from server.web.errors import register_html_errors
from server.web.stops_view import follow_own_stops, own_stop_events

blp = Blueprint("pages", __name__, template_folder="templates")
labels.register(blp)
may.register(blp)  # may(permission, *objects): the page offers only what the API would let through
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
    return render_template("buyer.html", loads=follow_own_stops(views.load_rows(loads), principal),
                           orders=views.orders_of(principal),
                           map_vehicles=views.map_vehicles(loads),
                           events=own_stop_events(views.recent_events([load.id for load in loads]), loads, principal),
                           relationships=views.trading(principal))


@blp.get("/carrier")
@login_required
def carrier():
    principal = principal_of_kind("carrier")
    return render_template("carrier.html", **carrier_context(principal))


@blp.get("/admin")
@login_required
def admin():
    principal = principal_of_kind("platform")
    return render_template("admin.html", tokens=views.erp_tokens(principal), now=now(), **views.admin_lists())


@blp.get("/notifications/settings")
@login_required
def notification_settings():
    """The user's e-mail choices (sent to ``PUT /api/v1/email-settings``)."""
    from server.notify.email_prefs import EMAIL_KINDS, choices, smtp_settings
    from server.notify.messages import TITLES

    row = db.session.scalar(select(EmailSettings).where(EmailSettings.user_id == current_user.id))
    return render_template("notification_settings.html", prefs=choices(row), kinds=EMAIL_KINDS,
                           kind_labels={kind: labels.notification_kind_label(kind) for kind in EMAIL_KINDS if kind in TITLES},
                           configured=smtp_settings(current_app.config).enabled)


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
    return {"map_tiles": map_tiles_url(current_app.config), "email_disabled": _email_disabled()}


def _email_disabled() -> bool:
    """Whether a bounce turned the signed-in user's e-mail off (every page says so, in the bell)."""
    if not current_user or not current_user.is_authenticated:
        return False
    reason = db.session.scalar(select(EmailSettings.disabled_reason).where(EmailSettings.user_id == current_user.id))
    return bool(reason)


@blp.app_template_global("error_title")
def _error_title(status: int) -> str:
    from server.web.i18n import error_title

    return error_title(status)


# The live sections of these pages; nested so that registering the pages registers them too.
from server.web.console import blp as _console  # noqa: E402
from server.web.fragments import blp as _fragments  # noqa: E402
from server.web.organisation_pages import blp as _organisation  # noqa: E402
from server.web.settlement_pages import blp as _settlement  # noqa: E402

blp.register_blueprint(_fragments)
blp.register_blueprint(_organisation)
blp.register_blueprint(_settlement)
blp.register_blueprint(_console)
