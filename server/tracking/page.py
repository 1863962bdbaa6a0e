"""The public tracking page ``/track/<token>``: no login, live while the link is.

A plain HTML page with the load's status, ETA, last position and status timeline, rendered
from the same snapshot the Socket.IO join returns (a link bound to a buyer's stop on a multi-drop
load: that stop's ETA, delivery site and events only, `server.tracking.snapshot.link_snapshot`); when ``/static/vendor/socket.io.min.js``
is present the page joins the tracking room and updates live, until the load is delivered (then it
shows the frozen snapshot: `server.tracking.snapshot`). Unknown tokens answer 404,
expired or revoked ones 410, both without saying which load they were for.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template
from sqlalchemy import select

from server.extensions import db
from server.models import Load, Site
from server.tracking.links import find_link
from server.tracking.snapshot import link_snapshot

blp = Blueprint("tracking_page", __name__, template_folder="../web/templates")


def _words() -> dict:
    """The status and event labels in the page's language, for the live updates' script."""
    from server.web.labels import EVENT, STATUS

    return {"status": {k: str(v) for k, v in STATUS.items()}, "event": {k: str(v) for k, v in EVENT.items()}}


def _vendor_socketio() -> bool:
    static = Path(current_app.static_folder or "")
    return (static / "vendor" / "socket.io.min.js").is_file()


@blp.get("/track/<token>")
def track(token: str):
    lookup = find_link(token)
    if lookup.link is None:
        return render_template("error.html", status=404, title="Not found",
                               detail="This tracking link does not exist."), 404
    if not lookup.live:
        return render_template("error.html", status=410, title="Link expired",
                               detail="This tracking link has expired or was withdrawn."), 410
    snapshot = link_snapshot(lookup.link)
    # The public page is read where the goods arrive: every time on it is on the delivery site's clock
    # (a link bound to a buyer's stop: that stop's site).
    stop_site = snapshot.get("delivery_site")
    delivery_zone = stop_site["timezone"] if stop_site else db.session.scalar(
        select(Site.timezone).join(Load, Load.delivery_site_id == Site.id).where(Load.id == lookup.link.load_id))
    db.session.remove()
    response = current_app.make_response(render_template(
        "track.html", snapshot=snapshot, token=token, delivery_zone=delivery_zone, expires_at=lookup.link.expires_at.isoformat(),
        live=_vendor_socketio() and snapshot["live"], words=_words()))
    # The token is in the URL: keep it out of referrers and caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
