"""Disputes on bill lines (with both sides' comments) and reconciliation statements between two parties."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, org_fk
from server.models.settlement import AMOUNT


class Dispute(Model):
    """The payer disputes one line of an issued bill, citing evidence; the carrier accepts, adjusts or rejects."""

    __tablename__ = "freight_disputes"

    bill_id: Mapped[int] = mapped_column(Integer, ForeignKey("freight_bills.id"), nullable=False, index=True)
    line_id: Mapped[int] = mapped_column(Integer, ForeignKey("freight_bill_lines.id"), nullable=False)
    carrier_org_id: Mapped[int] = org_fk()
    payer_org_id: Mapped[int] = org_fk()
    reason: Mapped[str] = mapped_column(String(2000), nullable=False)
    claimed_amount: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)  # what the payer thinks the line is worth
    evidence: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)  # [{load_id, seq, hash, kind}]
    status: Mapped[str] = mapped_column(String(12), default="open", nullable=False, index=True)  # open accepted adjusted rejected
    resolution_note: Mapped[str] = mapped_column(String(2000), default="", nullable=False)
    credit_note_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("freight_bills.id"), nullable=True)
    opened_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    comments = relationship("DisputeComment", order_by="DisputeComment.id", cascade="all, delete-orphan")


class DisputeComment(Model):
    __tablename__ = "freight_dispute_comments"

    dispute_id: Mapped[int] = mapped_column(Integer, ForeignKey("freight_disputes.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    organisation_id: Mapped[int] = org_fk(index=False)
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    text: Mapped[str] = mapped_column(String(2000), nullable=False)


class Statement(Model):
    """A reconciliation statement for a period between a payer and a carrier, in one currency.

    Opening balance, the period's documents (invoices, credit notes, payments) and the closing
    balance, as owed by the payer to the carrier. Each side confirms it or raises differences; once
    both confirmed, it never changes (corrections are new documents, shown on the next statement).
    """

    __tablename__ = "freight_statements"

    carrier_org_id: Mapped[int] = org_fk()
    payer_org_id: Mapped[int] = org_fk()
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)  # inclusive
    opening_balance: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    invoiced: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    credited: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    paid: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    closing_balance: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    documents: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default="open", nullable=False)  # open | differences | confirmed
    carrier_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    payer_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    differences: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)  # [{organisation_id, text, amount, at}]


class StatementLine(Model):
    """One document on a statement, signed as it moves the balance (invoice +, credit note and payment -)."""

    __tablename__ = "freight_statement_lines"

    statement_id: Mapped[int] = mapped_column(Integer, ForeignKey("freight_statements.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)  # invoice | credit_note | payment
    document_id: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str] = mapped_column(String(100), nullable=False)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    load_reference: Mapped[str] = mapped_column(String(100), default="", nullable=False)


@event.listens_for(Statement, "before_update")
def _confirmed_never_changes(_mapper, _connection, target: Statement) -> None:
    status = inspect(target).attrs.status.history
    was = (status.deleted or status.unchanged or [None])[0]
    if was == "confirmed":
        raise RuntimeError(f"statement {target.id} is confirmed and cannot change: issue a new document instead")
