"""The gate console's reading of a pickup pass at one site: a scanned QR token or a typed plate.

``read_pass`` answers what the buyer authorized (carrier, driver, plate, load) when the pass
holds at this site, and why not otherwise: ``forged``, ``malformed``, ``expired``, ``revoked``,
``unknown``, ``other_site`` (a genuine pass for another plant, or another organisation's
load), ``carrier_not_awarded``, ``load_not_ready``, or ``no_pass_for_plate``. Every refusal is
logged as a ``gate_refused`` event of the site (with the load when the token names one at this
site) and a log line, and the site's pages hear of it live. ``check_in_pass`` checks the truck
in through the gate's one check-in (``gate.check_in``), which a second tap leaves as it is.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from server.auth.principal import Principal
from server.extensions import db
from server.models import Driver, Event, Load, Organisation, PickupAuthorization, Site, YardVisit
from server.realtime import emit_to_orgs
from server.yard import gate
from server.yard.booking import site_staff
from server.yard.refusals import YardRefused
from server.yard.visits import live_visit

log = logging.getLogger("haul.yard.gate")
# payload.signature (or payload.timestamp.signature, the earlier form); a leading dot: compressed
SIGNED_SHAPE = re.compile(r"^\.?[\w-]+(\.[\w-]+){1,2}$")

DETAILS = {  # lazy: put in the caller's language when used
    "other_site": _l("This pickup pass is for another plant's load."),
    "no_pass_for_plate": _l("No valid pickup pass names this plate for a load at this plant."),
}


def require_staff(principal: Principal, site: Site) -> None:
    if not site_staff(principal, site):
        raise YardRefused("forbidden", "not_site_staff",
                          _("Only the site's admins, dispatchers and dock managers use its gate console."))


def _log_refusal(site: Site, reason: str, detail: str, now: datetime, by: int | None, load: Load | None,
                 plate: str | None) -> YardRefused:
    db.session.rollback()
    data = {"reason": reason, "detail": detail, "via": "console", "by": by, "plate": plate}
    db.session.add(Event(kind="gate_refused", time=now, load_id=load.id if load else None, site_id=site.id,
                         vehicle_id=load.vehicle_id if load else None, data=data))
    db.session.commit()
    log.info("gate console of site %s refused a pass (%s), load %s", site.id, reason, load.id if load else None)
    emit_to_orgs("yard.gate_refused", {"site_id": site.id, "load_id": load.id if load else None, **data},
                 [site.organisation_id])
    return YardRefused("forbidden", reason, detail)


def _load_of(token: str, now: datetime) -> tuple[Load | None, str | None, str]:
    """The load a token names (None with the reason when it names none that can be trusted)."""
    from server.market.pickup_token import TokenRefused, verify

    if not SIGNED_SHAPE.match(token):  # not the shape of a signed pass at all (a URL, a product code): not "forged"
        return None, "malformed", _("This is not a Haul pickup pass.")
    try:
        claims = verify(current_app.config["SECRET_KEY"], token, now)
    except TokenRefused as exc:
        return None, exc.reason, exc.detail
    return db.session.get(Load, claims.load_id), None, ""


def _load_here(principal: Principal, site: Site, token: str, now: datetime, plate: str | None) -> Load:
    """The load ``token`` names at this site; a logged refusal when it names none or another plant's."""
    load, reason, detail = _load_of(token, now)
    if load is None:
        raise _log_refusal(site, reason or "unknown", detail or _("No such authorization was issued."), now,
                           principal.user_id, None, plate)
    if load.pickup_site_id != site.id:  # say nothing more about another plant's load
        raise _log_refusal(site, "other_site", str(DETAILS["other_site"]), now, principal.user_id, None,
                           plate)
    return load


def token_for_plate(site: Site, plate: str) -> str | None:
    """The token of the newest unrevoked pass naming ``plate`` for a load at ``site``."""
    from server.market.pickup import token_for
    from server.market.pickup_token import normalise_plate

    wanted = normalise_plate(plate)
    rows = db.session.scalars(select(PickupAuthorization).join(Load, Load.id == PickupAuthorization.load_id)
                              .where(Load.pickup_site_id == site.id, PickupAuthorization.revoked_at.is_(None))
                              .order_by(PickupAuthorization.id.desc()))
    row = next((r for r in rows if normalise_plate(r.plate) == wanted), None)
    return token_for(row, current_app.config["SECRET_KEY"]) if row else None


def read_pass(principal: Principal, site: Site, now: datetime, token: str | None = None,
              plate: str | None = None) -> dict:
    """What the pass says at this site; a logged 403 refusal with the reason when it does not hold."""
    from server.market.pickup import check_at_gate

    require_staff(principal, site)
    if token is None:
        token = token_for_plate(site, plate or "")
        if token is None:
            raise _log_refusal(site, "no_pass_for_plate", str(DETAILS["no_pass_for_plate"]), now,
                               principal.user_id,
                               None, plate)
    load = _load_here(principal, site, token, now, plate)
    verdict = check_at_gate(principal, token, now, current_app.config["SECRET_KEY"], load_id=load.id)
    if not verdict.valid:
        raise _log_refusal(site, verdict.reason or "refused", verdict.detail, now, principal.user_id, load, plate)
    return pass_view(load, verdict.authorization_id, token)


def pass_view(load: Load, authorization_id: int | None, token: str) -> dict:
    row = db.session.get(PickupAuthorization, authorization_id) if authorization_id else None
    carrier = db.session.get(Organisation, load.carrier_org_id) if load.carrier_org_id else None
    driver = db.session.get(Driver, row.driver_id) if row and row.driver_id else None
    visit: YardVisit | None = live_visit(load.id)
    return {"valid": True, "token": token, "load_id": load.id, "reference": load.reference,
            "weight_kg": load.weight_kg, "pallets": load.pallets, "equipment": load.required_equipment,
            "carrier_name": carrier.name if carrier else None, "driver_id": row.driver_id if row else None,
            "driver_name": driver.name if driver else None, "plate": row.plate if row else None,
            "expires_at": row.expires_at if row else None,
            "visit_id": visit.id if visit else None, "visit_status": visit.status if visit else None}


def check_in_pass(principal: Principal, site: Site, token: str, plate: str, now: datetime) -> YardVisit:
    """Check the truck showing ``token`` with ``plate`` in at ``site`` (twice is once)."""
    require_staff(principal, site)
    load = _load_here(principal, site, token, now, plate)
    return gate.check_in(principal, load, token, now, plate, None)
