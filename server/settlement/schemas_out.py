"""The settlement API's answers (amounts as strings with the currency's decimals)."""

from __future__ import annotations

from marshmallow import Schema, fields


def _money():
    return fields.String(metadata={"example": "1234.50"})


class AgreementOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    payer_id = fields.Integer()
    carrier_id = fields.Integer()
    currency = fields.String()
    lane = fields.Dict()
    equipment = fields.String(allow_none=True)
    valid_from = fields.Date()
    valid_to = fields.Date()
    basis = fields.String()
    rate = fields.String()
    minimum = _money()
    fuel = fields.Dict(allow_none=True)
    accessorials = fields.Dict()
    tax_rate_pct = fields.String()
    billing = fields.String()
    self_billing = fields.Boolean()
    tolerance_pct = fields.String()
    tolerance_amount = _money()
    active = fields.Boolean()
    created_at = fields.DateTime()


class BillLineOut(Schema):
    id = fields.Integer()
    line_no = fields.Integer()
    load_id = fields.Integer(allow_none=True)
    code = fields.String()
    description = fields.String()
    quantity = fields.String()
    unit = fields.String()
    unit_price = fields.String()
    amount = _money()
    tax_rate_pct = fields.String()
    evidence = fields.List(fields.Dict(), metadata={"description": "the facts the line was computed from"})
    notes = fields.Dict()


class PaymentOut(Schema):
    id = fields.Integer()
    bill_id = fields.Integer()
    amount = _money()
    currency = fields.String()
    reference = fields.String()
    paid_on = fields.Date()
    created_at = fields.DateTime()


class CommentOut(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    text = fields.String()
    created_at = fields.DateTime()


class DisputeOut(Schema):
    id = fields.Integer()
    bill_id = fields.Integer()
    line_no = fields.Integer(allow_none=True)
    carrier_id = fields.Integer()
    payer_id = fields.Integer()
    reason = fields.String()
    claimed_amount = _money()
    evidence = fields.List(fields.Dict())
    status = fields.String()
    resolution_note = fields.String()
    credit_note_id = fields.Integer(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    comments = fields.List(fields.Nested(CommentOut))


class CreditNoteRef(Schema):
    id = fields.Integer()
    number = fields.String()
    total = _money()


class BillOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    status = fields.String()
    carrier_id = fields.Integer()
    payer_id = fields.Integer()
    issued_by = fields.String()
    load_id = fields.Integer(allow_none=True)
    agreement_id = fields.Integer(allow_none=True)
    credit_for_id = fields.Integer(allow_none=True)
    currency = fields.String()
    net = _money()
    tax = _money()
    total = _money()
    taxes = fields.List(fields.Dict())
    credited = _money()
    paid = _money()
    open = _money()
    issued_on = fields.Date(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    audit = fields.Dict(allow_none=True)
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(BillLineOut))
    payments = fields.List(fields.Nested(PaymentOut))
    disputes = fields.List(fields.Nested(DisputeOut))
    credit_notes = fields.List(fields.Nested(CreditNoteRef))


class StatementLineOut(Schema):
    kind = fields.String()
    document_id = fields.Integer()
    number = fields.String()
    on = fields.Date()
    amount = _money()
    load_reference = fields.String()


class StatementOut(Schema):
    id = fields.Integer()
    carrier_id = fields.Integer()
    payer_id = fields.Integer()
    currency = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    opening_balance = _money()
    invoiced = _money()
    credited = _money()
    paid = _money()
    closing_balance = _money()
    documents = fields.Integer()
    status = fields.String()
    carrier_confirmed_at = fields.DateTime(allow_none=True)
    payer_confirmed_at = fields.DateTime(allow_none=True)
    differences = fields.List(fields.Dict())
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(StatementLineOut), metadata={"description": "the first 1,000; all in the CSV"})


class LoadMoneyOut(Schema):
    load_id = fields.Integer()
    payer_id = fields.Integer()
    currency = fields.String()
    agreement_id = fields.Integer(allow_none=True)
    expected = fields.List(fields.Nested(BillLineOut))
    expected_net = _money()
    bills = fields.List(fields.Nested(BillOut))
