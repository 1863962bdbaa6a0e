"""Schemas and helpers shared by the marketplace blueprints (loads, tenders, awards, pickup)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.api.common import IdField
from server.errors import problem_response
from server.extensions import db
from server.market.bid_rules import MAX_BIDS_PER_CARRIER, MAX_PRICE, MODES, RULES
from server.market.refusals import MarketRefused

money = validate.Range(min=0, min_inclusive=False, max=MAX_PRICE)


def answer_refusals(blp: Blueprint) -> None:
    """A refused market request answers problem+json with its status, reason code and field errors."""

    @blp.errorhandler(MarketRefused)
    def _refused(exc: MarketRefused):
        db.session.rollback()
        errors = [{"path": path, "message": message} for path, message in exc.errors]
        return problem_response(exc.status, exc.detail, errors, reason=exc.reason)


class TimeWindowOut(Schema):
    """A time window as stored (UTC)."""

    earliest = fields.DateTime()
    latest = fields.DateTime()


def window(earliest, latest) -> dict:
    return {"earliest": earliest, "latest": latest}


class TenderIn(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    award_rule = fields.String(load_default="lowest_price", validate=validate.OneOf(RULES))
    price = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=money,
                         metadata={"description": "fixed price of a grab or sequential tender"})
    ceiling_price = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=money)
    target_price = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=money,
                                metadata={"description": "auto-accept a bid at or below this price"})
    min_decrement = fields.Float(load_default=0.0, allow_nan=False, validate=validate.Range(min=0, max=MAX_PRICE))
    max_bids_per_carrier = fields.Integer(load_default=3, strict=True,
                                          validate=validate.Range(min=1, max=MAX_BIDS_PER_CARRIER))
    deadline = fields.AwareDateTime(load_default=None, allow_none=True)
    private = fields.Boolean(load_default=False)
    preferred_carrier_ids = fields.List(IdField(), load_default=list, validate=validate.Length(max=50))
    offer_timeout_s = fields.Integer(load_default=900, strict=True, validate=validate.Range(min=30, max=7 * 86400))
    radius_km = fields.Float(load_default=50.0, allow_nan=False, validate=validate.Range(min=0, max=20000),
                             metadata={"description": "near-first radius; 0 opens to every qualified carrier"})


class PhaseOut(Schema):
    kind = fields.String(metadata={"description": "offer | private | near | all"})
    reach_km = fields.Float(allow_none=True)
    open_to_all_at = fields.DateTime(allow_none=True)
    offered_to = fields.Integer(allow_none=True)


class LoadSummary(Schema):
    id = fields.Integer()
    reference = fields.String()
    pickup_site_id = fields.Integer()
    pickup_location = fields.Dict()
    delivery_location = fields.Dict()
    pickup_window = fields.Nested(TimeWindowOut)
    delivery_window = fields.Nested(TimeWindowOut)
    required_equipment = fields.String()
    weight_kg = fields.Float()
    volume_m3 = fields.Float()
    pallets = fields.Float()
    hazmat_classes = fields.String()


class StandingOut(Schema):
    my_best = fields.Float(allow_none=True, metadata={"description": "your best bid"})
    rank = fields.Integer(allow_none=True, metadata={"description": "1 when your bid leads"})
    bidders = fields.Integer()
    state = fields.String(metadata={"description": "open, leading, outbid, won, lost or closed (no award)"})
    time_left_s = fields.Integer(allow_none=True)


class HistoryRow(Schema):
    at = fields.DateTime()
    lead_price = fields.Float(allow_none=True)
    mine = fields.Boolean()
    price = fields.Float(allow_none=True, metadata={"description": "your own bids (the seller: every bid)"})
    status = fields.String(allow_none=True)
    carrier_id = fields.Integer(metadata={"description": "the seller only"})


class TenderOut(Schema):
    fleet_warning = fields.String(allow_none=True)  # to a carrier: no free suitable truck for this load
    id = fields.Integer()
    load_id = fields.Integer()
    seller_id = fields.Integer()
    mode = fields.String()
    status = fields.String()
    award_rule = fields.String()
    price = fields.Float(allow_none=True)
    ceiling_price = fields.Float(allow_none=True)
    target_price = fields.Float(allow_none=True)
    min_decrement = fields.Float()
    max_bids_per_carrier = fields.Integer()
    deadline = fields.DateTime(allow_none=True)
    private = fields.Boolean()
    preferred_carrier_ids = fields.List(fields.Integer(), metadata={"description": "shown to the seller only"})
    offer_timeout_s = fields.Integer()
    radius_km = fields.Float()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    lead_price = fields.Float(allow_none=True)
    bid_count = fields.Integer()
    my_bids = fields.List(fields.Float())
    phase = fields.Nested(PhaseOut)
    load = fields.Nested(LoadSummary)
    standing = fields.Nested(StandingOut, allow_none=True, metadata={"description": "a carrier's own standing"})


class BidIn(Schema):
    price = fields.Float(required=True, allow_nan=False, validate=money)


class BidOut(Schema):
    id = fields.Integer()
    tender_id = fields.Integer()
    carrier_id = fields.Integer(attribute="carrier_org_id")
    price = fields.Float()
    status = fields.String()
    created_at = fields.DateTime()


class AwardOut(Schema):
    fleet_warning = fields.String(allow_none=True)  # no free suitable truck yet (a warning, not a refusal)
    id = fields.Integer()
    tender_id = fields.Integer()
    load_id = fields.Integer()
    carrier_id = fields.Integer(attribute="carrier_org_id")
    price = fields.Float()
    rule = fields.String()
    created_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)


class BidPlaced(Schema):
    bid = fields.Nested(BidOut)
    award = fields.Nested(AwardOut, allow_none=True)

