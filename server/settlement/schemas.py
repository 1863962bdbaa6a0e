"""The settlement API's schemas. Amounts are strings (``"1234.50"``): the services check them against the
currency and answer 422 with the field's path for too many decimals, a negative value or a float."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.api.common import GeoJSONPolygon, IdField
from server.settlement.charges import BASES

EQUIPMENT = ("pallet_dock", "liquid_arm", "bulk_chute", "side_loader")


def Amount(**kwargs) -> fields.Raw:  # noqa: N802 (reads like the field classes)
    """A decimal amount as a string; checked by the service against the currency's minor unit."""
    return fields.Raw(metadata={"type": "string", "example": "1234.50", **kwargs.pop("metadata", {})}, **kwargs)


class Lane(Schema):
    origin_site_id = IdField(load_default=None, allow_none=True)
    origin_region = fields.Nested(GeoJSONPolygon, load_default=None, allow_none=True)
    destination_site_id = IdField(load_default=None, allow_none=True)
    destination_region = fields.Nested(GeoJSONPolygon, load_default=None, allow_none=True)

    @validates_schema
    def _one_of_each(self, data, **_kwargs):
        for end in ("origin", "destination"):
            if (data.get(f"{end}_site_id") is None) == (data.get(f"{end}_region") is None):
                raise ValidationError(_("give either %(end)s_site_id or %(end)s_region", end=end),
                                      f"{end}_site_id")


class FuelBand(Schema):
    from_ = Amount(data_key="from", required=True)
    pct = Amount(required=True)


class Fuel(Schema):
    pct = Amount(metadata={"description": "a fixed surcharge, % of the freight"})
    bands = fields.List(fields.Nested(FuelBand), validate=validate.Length(min=1, max=50))
    prices = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^\d{4}-\d{2}$")), values=Amount(),
                         metadata={"description": "the fuel index price per month (YYYY-MM)"})

    @validates_schema
    def _one_kind(self, data, **_kwargs):
        if ("pct" in data) == ("bands" in data):
            raise ValidationError(_("give either pct or bands (with prices)"), "pct")


class Accessorials(Schema):
    free_minutes_pickup = fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000))
    free_minutes_delivery = fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000))
    detention_period_minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=1440))
    detention_rate = Amount()
    late_cancellation_hours = fields.Integer(strict=True, validate=validate.Range(min=0, max=720))
    late_cancellation_fee = Amount()
    truck_ordered_not_used_fee = Amount()
    layover_fee = Amount()
    stops_included = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    extra_stop_fee = Amount()
    weight_tolerance_pct = Amount()


class AgreementIn(Schema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    carrier_id = IdField(required=True)
    currency = fields.String(required=True, metadata={"example": "EUR"})
    lane = fields.Nested(Lane, required=True)
    equipment = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(EQUIPMENT))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    basis = fields.String(required=True, validate=validate.OneOf(BASES))
    rate = Amount(required=True)
    minimum = Amount(load_default="0")
    fuel = fields.Nested(Fuel, load_default=None, allow_none=True)
    accessorials = fields.Nested(Accessorials, load_default=dict)
    tax_rate_pct = Amount(load_default="0", metadata={"description": "VAT on every line, %"})
    billing = fields.String(load_default="per_load", validate=validate.OneOf(("per_load", "per_period")))
    self_billing = fields.Boolean(load_default=False)
    tolerance_pct = Amount(load_default="2")
    tolerance_amount = Amount(load_default="0")

    @validates_schema
    def _period(self, data, **_kwargs):
        if "valid_from" in data and "valid_to" in data and data["valid_to"] < data["valid_from"]:
            raise ValidationError(_("must not be before valid_from"), "valid_to")


class BillIn(Schema):
    load_id = IdField(required=True)


class PeriodBillIn(Schema):
    agreement_id = IdField(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)


class BillLineIn(Schema):
    code = fields.String(load_default="other", validate=validate.Length(min=1, max=30))
    description = fields.String(validate=validate.Length(min=1, max=500))
    unit = fields.String(load_default="unit", validate=validate.Length(min=1, max=20))
    quantity = Amount()
    unit_price = Amount()
    evidence = fields.List(fields.Dict(), load_default=list, validate=validate.Length(max=20))


class BillLineChange(Schema):
    description = fields.String(validate=validate.Length(min=1, max=500))
    quantity = Amount()
    unit_price = Amount()


class ApproveIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class PaymentIn(Schema):
    amount = Amount(required=True)
    currency = fields.String(required=True, validate=validate.Length(equal=3))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    paid_on = fields.Date(load_default=None, allow_none=True)


class CitedItem(Schema):
    load_id = IdField(load_default=None, allow_none=True)
    seq = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=1_000_000))


class DisputeIn(Schema):
    line_no = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=10_000))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    claimed_amount = Amount(required=True, metadata={"description": "what the payer holds the line is worth"})
    evidence = fields.List(fields.Nested(CitedItem), load_default=list, validate=validate.Length(max=20))
    evidence_seqs = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=1_000_000)),
                                load_default=list, validate=validate.Length(max=20),
                                metadata={"description": "shorthand: items of the bill's load by seq"})


class CommentIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ResolveIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("accept", "adjust", "reject")))
    amount = Amount(metadata={"description": "adjust: the credit to give"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class StatementIn(Schema):
    counterparty_id = IdField(required=True, metadata={"description": "the carrier (for a payer) or the payer"})
    currency = fields.String(required=True, validate=validate.Length(equal=3))
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)

    @validates_schema
    def _period(self, data, **_kwargs):
        if "period_start" in data and "period_end" in data and data["period_end"] < data["period_start"]:
            raise ValidationError(_("must not be before period_start"), "period_end")


class DifferenceIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    amount = Amount(load_default=None, allow_none=True)
