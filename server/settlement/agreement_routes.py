"""Rate agreements: a payer (seller or buyer) agrees contract rates for a lane with a carrier."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from server.api.common import PageArgs, page_of, page_schema
from server.audit import trail
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import Organisation, RateAgreement, Site
from server.settlement import agreements
from server.settlement.schemas import AgreementIn
from server.settlement.schemas_out import AgreementOut
from server.settlement.views import agreement_view

blp = Blueprint("rate_agreements", __name__, url_prefix="/api/v1/rate-agreements",
                description="Rate agreements: contract rates per lane, fuel, accessorial schedule, tax, tolerances")


class AgreementFilter(PageArgs):
    active = fields.Boolean()
    counterparty_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


@blp.post("")
@blp.arguments(AgreementIn)
@blp.response(201, AgreementOut)
@require("manage_finances", org_kinds=("seller", "buyer"))
def create_agreement(data):
    """Agree rates for a lane with a carrier; an agreement overlapping another of the same parties is refused (422)."""
    principal = current_principal()
    errors = []
    carrier = db.session.get(Organisation, data["carrier_id"])
    if carrier is None or carrier.kind != "carrier":
        errors.append(("carrier_id", _("is not a carrier organisation")))
    for end in ("origin_site_id", "destination_site_id"):
        site_id = data["lane"].get(end)
        if site_id is not None and db.session.get(Site, site_id) is None:
            errors.append((f"lane/{end}", _("is not a known site")))
    if errors:
        raise ApiProblem(422, _("Some fields are invalid."), errors)
    values = agreements.checked(data)
    clash = agreements.overlapping(principal.organisation_id, data["carrier_id"], values)
    if clash is not None:
        raise ApiProblem(422, _("This agreement overlaps agreement %(reference)s (id %(id)s) on lane, "
                                "equipment and validity.", reference=clash.reference,
                                id=clash.id), [("lane", _("overlaps agreement %(id)s", id=clash.id)),
                                                          ("valid_from", _("overlaps agreement %(id)s",
                                                                           id=clash.id))],
                         code="overlapping_agreement")
    row = RateAgreement(payer_org_id=principal.organisation_id, carrier_org_id=data["carrier_id"], **values)
    db.session.add(row)
    db.session.flush()
    trail.record("rate_agreement.created", "rate_agreement", row.id, principal=principal,
                 counterparty_org_id=row.carrier_org_id, after=agreement_view(row))
    db.session.commit()
    return agreement_view(row)


@blp.get("")
@blp.arguments(AgreementFilter, location="query")
@blp.response(200, page_schema(AgreementOut, "AgreementPage"))
@require("view_finances")
def list_agreements(args):
    """The caller's agreements, as payer or as carrier."""
    principal = current_principal()
    query = scoped(RateAgreement, principal)
    if "active" in args:
        query = query.where(RateAgreement.active.is_(args["active"]))
    if "counterparty_id" in args:
        other = args["counterparty_id"]
        query = query.where((RateAgreement.payer_org_id == other) | (RateAgreement.carrier_org_id == other))
    return page_of(query.order_by(RateAgreement.id), args, agreement_view)


@blp.get("/<int:agreement_id>")
@blp.response(200, AgreementOut)
@require("view_finances")
def get_agreement(agreement_id):
    return agreement_view(get_scoped_or_404(RateAgreement, agreement_id, current_principal()))


@blp.post("/<int:agreement_id>/end")
@blp.response(200, AgreementOut)
@require("manage_finances")
def end_agreement(agreement_id):
    """The payer ends an agreement (it stays on record; bills already drawn keep citing it)."""
    principal = current_principal()
    row = get_scoped_or_404(RateAgreement, agreement_id, principal)
    if row.payer_org_id != principal.organisation_id:
        raise ApiProblem(403, _("Only the payer ends its agreement."))
    row.active = False
    trail.record("rate_agreement.ended", "rate_agreement", row.id, principal=principal,
                 counterparty_org_id=row.carrier_org_id, before={"active": True}, after={"active": False})
    db.session.commit()
    return agreement_view(row)

