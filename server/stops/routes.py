"""The stops of a load (each party sees its own) and a proof of delivery per delivery stop."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server import clock
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.errors import ApiProblem
from server.models import Load, LoadStop
from server.stops.delivery import pod_of, record_stop_pod
from server.stops.views import stop_out, stops_of
from server.yard.evidence_routes import PodIn, PodOut
from server.yard.refusals import answer_refusals

blp = Blueprint("stops", __name__, url_prefix="/api/v1/loads", description="Stops of multi-drop loads")
answer_refusals(blp)


class StopWindowOut(Schema):
    earliest = fields.DateTime()
    latest = fields.DateTime()


class StopOut(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    kind = fields.String()
    site_id = fields.Integer()
    buyer_id = fields.Integer(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    window = fields.Nested(StopWindowOut)
    weight_kg = fields.Float()
    pallets = fields.Float()
    eta = fields.DateTime(allow_none=True)
    status = fields.String()


class StopPodOut(PodOut):
    stop_id = fields.Integer(allow_none=True)


def _stop(load_id: int, stop_id: int, principal) -> tuple[Load, LoadStop]:
    load = get_scoped_or_404(Load, load_id, principal)
    stop = get_scoped_or_404(LoadStop, stop_id, principal)
    if stop.load_id != load.id:
        raise ApiProblem(404, _("LoadStop %(stop_id)s was not found.", stop_id=stop_id))
    return load, stop


@blp.get("/<int:load_id>/stops")
@blp.response(200, StopOut(many=True))
def list_stops(load_id):
    """The load's stops in sequence: all of them for its seller and carrier, a buyer's own for a buyer
    (and the pickup). A load without stops is a plain one: its own pickup and delivery."""
    principal = current_principal()
    return [stop_out(s) for s in stops_of(get_scoped_or_404(Load, load_id, principal), principal)]


@blp.post("/<int:load_id>/stops/<int:stop_id>/pod")
@blp.arguments(PodIn)
@blp.response(201, StopPodOut)
@require("record_evidence")
def post_stop_pod(data, load_id, stop_id):
    """The proof of delivery of one delivery stop, by the carrier or that stop's buyer."""
    principal = current_principal()
    load, stop = _stop(load_id, stop_id, principal)
    return record_stop_pod(principal, load, stop, data, clock.now())


@blp.get("/<int:load_id>/stops/<int:stop_id>/pod")
@blp.response(200, StopPodOut)
def get_stop_pod(load_id, stop_id):
    """A stop's proof of delivery (its buyer, the seller and the carrier only)."""
    stop = _stop(load_id, stop_id, current_principal())[1]
    pod = pod_of(stop)
    if pod is None:
        raise ApiProblem(404, _("This stop has no proof of delivery yet."))
    return pod
