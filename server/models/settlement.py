"""Freight settlement: rate agreements, freight bills (invoices and credit notes) with lines, payments.

Money columns are ``Numeric`` (never floats); the currency is the agreement's (or, for a spot
load without one, the payer's), and every amount is rounded by ``server.settlement.money``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, org_fk

AMOUNT = Numeric(18, 4)  # document amounts: 4 decimals hold every currency's minor unit (KWD has 3)
RATE = Numeric(18, 4)  # unit prices and rates may carry up to 4 decimals
QUANTITY = Numeric(18, 4)
PCT = Numeric(9, 4)


class RateAgreement(Model):
    """Contract rates for one lane between a payer and a carrier, valid for a period."""

    __tablename__ = "rate_agreements"

    payer_org_id: Mapped[int] = org_fk()
    carrier_org_id: Mapped[int] = org_fk()
    reference: Mapped[str] = mapped_column(String(100), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # The lane: an origin site or an origin region, to a destination site or region (GeoJSON polygons).
    origin_site_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("sites.id"), nullable=True)
    origin_region: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    destination_site_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("sites.id"), nullable=True)
    destination_region: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    equipment: Mapped[str | None] = mapped_column(String(30), nullable=True)  # None: any equipment
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date] = mapped_column(Date, nullable=False)  # inclusive
    basis: Mapped[str] = mapped_column(String(10), nullable=False)  # trip | tonne | km
    rate: Mapped[Decimal] = mapped_column(RATE, nullable=False)
    minimum: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0), nullable=False)
    fuel_pct: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)
    fuel_index: Mapped[dict | None] = mapped_column(JSONType, nullable=True)  # {"bands": [...], "prices": {...}}
    accessorials: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)  # the schedule, amounts as text
    tax_rate_pct: Mapped[Decimal] = mapped_column(PCT, default=Decimal(0), nullable=False)
    billing: Mapped[str] = mapped_column(String(10), default="per_load", nullable=False)  # per_load | per_period
    self_billing: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)  # the payer issues the bills
    tolerance_pct: Mapped[Decimal] = mapped_column(PCT, default=Decimal(2), nullable=False)
    tolerance_amount: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class FreightBill(Model):
    """An invoice (for one load, or a period) or a credit note against one; issued by the carrier or self-billed."""

    __tablename__ = "freight_bills"
    __table_args__ = (
        UniqueConstraint("carrier_org_id", "number"),
        # One live per-load invoice per load: a second bill for the same load is refused by the database.
        Index("uq_freight_bills_load_invoice", "load_id", unique=True,
              postgresql_where=text("kind = 'invoice' AND load_id IS NOT NULL"),
              sqlite_where=text("kind = 'invoice' AND load_id IS NOT NULL")),
        Index("ix_freight_bills_parties", "payer_org_id", "carrier_org_id", "currency", "issued_on"),
    )

    kind: Mapped[str] = mapped_column(String(12), default="invoice", nullable=False)  # invoice | credit_note
    number: Mapped[str] = mapped_column(String(60), nullable=False)
    carrier_org_id: Mapped[int] = org_fk()
    payer_org_id: Mapped[int] = org_fk()
    issued_by: Mapped[str] = mapped_column(String(10), default="carrier", nullable=False)  # carrier | payer
    load_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("loads.id"), nullable=True)
    agreement_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("rate_agreements.id"), nullable=True)
    credit_for_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("freight_bills.id"), nullable=True,
                                                      index=True)
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # draft -> issued -> approved | disputed -> paid (server.settlement.states)
    status: Mapped[str] = mapped_column(String(12), default="draft", nullable=False, index=True)
    net: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0), nullable=False)
    tax: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0), nullable=False)
    total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0), nullable=False)
    taxes: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)  # [{rate_pct, base, amount}] as text
    credited: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0), nullable=False)
    paid: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0), nullable=False)
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approved_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    audit: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)  # the payer's audit, amounts as text

    lines = relationship("FreightBillLine", order_by="FreightBillLine.line_no", back_populates="bill",
                         cascade="all, delete-orphan")


class FreightBillLine(Model):
    __tablename__ = "freight_bill_lines"
    __table_args__ = (UniqueConstraint("bill_id", "line_no"),)

    bill_id: Mapped[int] = mapped_column(Integer, ForeignKey("freight_bills.id", ondelete="CASCADE"), nullable=False)
    line_no: Mapped[int] = mapped_column(Integer, nullable=False)
    load_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("loads.id"), nullable=True, index=True)
    code: Mapped[str] = mapped_column(String(30), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(RATE, nullable=False)
    amount: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    tax_rate_pct: Mapped[Decimal] = mapped_column(PCT, default=Decimal(0), nullable=False)
    evidence: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    notes: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    credit_for_line_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a credit note's line

    bill = relationship("FreightBill", back_populates="lines")


class Payment(Model):
    """A payment the payer made against one invoice (recorded, not processed)."""

    __tablename__ = "freight_payments"

    bill_id: Mapped[int] = mapped_column(Integer, ForeignKey("freight_bills.id"), nullable=False, index=True)
    carrier_org_id: Mapped[int] = org_fk()
    payer_org_id: Mapped[int] = org_fk()
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    reference: Mapped[str] = mapped_column(String(100), nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    recorded_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
