"""Awards (and a carrier's withdrawal), carrier scorecards, and each seller's market settings."""

from __future__ import annotations

from dataclasses import asdict

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import clock
from server.api.common import PageArgs, page_of, page_schema
from server.auth.dealings import can_see_carrier
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.extensions import db
from server.market.assignment import carrier_cancel
from server.market.schemas import AwardOut, answer_refusals
from server.market.scorecard import MarketSettings, SettingsInvalid, ineligibility
from server.market.scoring import scorecards, settings_of
from server.models import Award, Organisation

blp = Blueprint("market_awards", __name__, url_prefix="/api/v1", description="Awards, scorecards, market settings")
answer_refusals(blp)


class CancelIn(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ScorecardOut(Schema):
    carrier_id = fields.Integer()
    loads = fields.Integer()
    on_time_pickup = fields.Float(allow_none=True)
    on_time_delivery = fields.Float(allow_none=True)
    tracked_share = fields.Float(allow_none=True)
    cancellations = fields.Integer()
    score = fields.Float()
    window = fields.Integer()
    eligible = fields.Boolean(allow_none=True, metadata={"description": "under the calling seller's thresholds"})
    reasons = fields.List(fields.String())


class SettingsOut(Schema):
    window = fields.Integer()
    min_loads = fields.Integer()
    min_on_time_pickup = fields.Float()
    min_on_time_delivery = fields.Float()
    min_tracked_share = fields.Float()
    max_cancellations = fields.Integer(allow_none=True)
    score_weight = fields.Float()
    radius_step_minutes = fields.Float()
    radius_max_km = fields.Float()


class SettingsIn(Schema):
    """Any subset of the settings; each is checked against its range."""

    window = fields.Integer(strict=True)
    min_loads = fields.Integer(strict=True)
    min_on_time_pickup = fields.Float(allow_nan=False)
    min_on_time_delivery = fields.Float(allow_nan=False)
    min_tracked_share = fields.Float(allow_nan=False)
    max_cancellations = fields.Integer(strict=True, allow_none=True)
    score_weight = fields.Float(allow_nan=False)
    radius_step_minutes = fields.Float(allow_nan=False)
    radius_max_km = fields.Float(allow_nan=False)


@blp.get("/awards")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(AwardOut, "AwardPage"))
def list_awards(args):
    """Awards the caller is party to: as the carrier, the load's seller or its buyer."""
    return page_of(scoped(Award, current_principal()).order_by(Award.id.desc()), args, lambda a: a)


@blp.get("/awards/<int:award_id>")
@blp.response(200, AwardOut)
def get_award(award_id):
    """One award."""
    return get_scoped_or_404(Award, award_id, current_principal())


@blp.post("/awards/<int:award_id>/cancel")
@blp.arguments(CancelIn)
@blp.response(200, AwardOut)
@require("bid", org_kinds=("carrier",))
def post_cancel_award(data, award_id):
    """The carrier withdraws before pickup; it counts as a cancellation on its scorecard."""
    principal = current_principal()
    award = get_scoped_or_404(Award, award_id, principal)
    return carrier_cancel(principal, award, data["reason"], clock.now())


@blp.get("/carriers/<int:carrier_id>/scorecard")
@blp.response(200, ScorecardOut)
def get_scorecard(carrier_id):
    """A carrier's last-N-loads scorecard; sellers also see whether it passes their thresholds."""
    principal = current_principal()
    carrier = db.session.get(Organisation, carrier_id) if can_see_carrier(carrier_id, principal) else None
    if carrier is None or carrier.kind != "carrier":
        raise ApiProblem(404, _("Carrier %(carrier_id)s was not found.", carrier_id=carrier_id))
    is_seller = principal.org_kind == "seller"
    settings = settings_of(principal.organisation_id) if is_seller else MarketSettings()
    card = scorecards([carrier_id], settings.window)[carrier_id]
    reasons = ineligibility(card, settings) if is_seller else []
    return {"carrier_id": carrier_id, **asdict(card), "window": settings.window,
            "eligible": (not reasons) if is_seller else None, "reasons": reasons}


@blp.get("/market/settings")
@blp.response(200, SettingsOut)
@require(org_kinds=("seller",))
def get_settings():
    """The calling seller's scorecard thresholds, score weight and near-first radius schedule."""
    return settings_of(current_principal().organisation_id).as_dict()


@blp.patch("/market/settings")
@blp.arguments(SettingsIn)
@blp.response(200, SettingsOut)
@require("award", org_kinds=("seller",))
def patch_settings(data):
    """Change some of the calling seller's market settings."""
    org = db.session.get(Organisation, current_principal().organisation_id)
    merged = {**((org.settings or {}).get("market") or {}), **data}
    try:
        settings = MarketSettings.from_settings({"market": merged})
    except SettingsInvalid as exc:
        raise ApiProblem(422, _("Some fields are invalid."),
                         [(path.removeprefix("market/"), message) for path, message in exc.errors]) from exc
    org.settings = {**(org.settings or {}), "market": merged}
    db.session.commit()
    return settings.as_dict()
