"""The tender as the hot bid path needs it: one Core query, no ORM object.

``tender_for_bid`` reads the tender the caller may see, with its seller's market settings, in
one round trip; on PostgreSQL the same statement takes the caller's advisory lock on the tender
(see ``bid_insert`` for the locking as a whole).

``TenderRow`` carries the attribute names of ``Tender``, so the rules that only read a tender
(``terms_of``, ``audience``, ``phase``, ``award_in_tx``) take either.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, func, select

from server.auth.principal import Principal
from server.auth.scoping import visibility
from server.extensions import db
from server.models import Organisation, Tender


@dataclass(frozen=True, slots=True)
class TenderRow:
    id: int
    load_id: int
    seller_org_id: int
    mode: str
    status: str
    award_rule: str
    price: float | None
    ceiling_price: float | None
    min_decrement: float
    max_bids_per_carrier: int
    target_price: float | None
    deadline: datetime | None
    private: bool
    preferred_carrier_ids: list
    sequential_index: int
    offer_timeout_s: int
    offer_started_at: datetime | None
    radius_km: float
    created_at: datetime
    closed_at: datetime | None
    version: int
    seller_settings: dict | None


_COLUMNS = [getattr(Tender, f.name) for f in fields(TenderRow) if f.name != "seller_settings"]


@functools.lru_cache(maxsize=4096)
def _statement(org_id: int, org_kind: str, dialect: str):
    """The statement for one caller, built once: SQLAlchemy then reuses its cache key and compiled form,
    which costs more than the query itself on this path."""
    columns = list(_COLUMNS)
    if dialect == "postgresql":
        # Evaluated for the one row returned, i.e. only for a tender the caller may see.
        columns.append(func.pg_advisory_xact_lock(Tender.id, bindparam("carrier")))
    query = (select(*columns, Organisation.settings)
             .join(Organisation, Organisation.id == Tender.seller_org_id)
             .where(Tender.id == bindparam("tender_id"),
                    visibility(Tender, Principal(org_id, org_kind, frozenset(), None, "token"))))
    # The statements of all callers share one compiled form; rows are read by position, so skip the
    # per-execution remapping of result columns to this statement's objects (an option the ORM itself
    # sets; an SQLAlchemy without it just remaps).
    return query.execution_options(_result_disable_adapt_to_context=True)


def tender_for_bid(tender_id: int, principal: Principal) -> TenderRow | None:
    """The tender if the principal may see it (None otherwise).

    On PostgreSQL the same statement takes the transaction-scoped advisory lock (tender, caller):
    a carrier's bids on one tender then run one after the other, and each sees the ones before
    (``bid_insert`` relies on it). Other carriers' bids do not wait for it.
    """
    dialect = db.session.get_bind().dialect.name
    # On the session's connection, in its transaction, without the ORM's per-statement bookkeeping.
    row = db.session.connection().execute(_statement(principal.organisation_id, principal.org_kind, dialect),
                                          {"tender_id": tender_id, "carrier": principal.organisation_id}).first()
    if row is None:
        return None
    if dialect == "postgresql":
        row = (*row[:-2], row[-1])  # drop the lock call's empty result
    return TenderRow(*row)
