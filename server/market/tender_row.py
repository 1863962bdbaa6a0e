"""The tender as the hot bid and grab paths need it: one query, no ORM object.

``tender_for_bid`` reads the tender the caller may see, with its seller's market settings, in
one round trip; on PostgreSQL the same statement takes the caller's advisory lock on the tender
(see ``bid_insert`` for the locking as a whole), and runs as a prepared statement (``fast_sql``).
``tender_for_grab`` reads the same without the lock.

``TenderRow`` carries the attribute names of ``Tender``, so the rules that only read a tender
(``terms_of``, ``audience``, ``phase``, ``award_in_tx``) take either. It also carries what the
audience needs of the load (its truck needs and pickup point), read in the same statement: an
audience refresh then costs no query of its own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, func, select

from server.auth.principal import Principal
from server.auth.scoping import visibility
from server.db.fast_sql import compile_pg, fetch_one, utc
from server.extensions import db
from server.market.audience import LoadView
from server.market.qualification import LoadNeeds, parse_hazmat
from server.models import Load, Organisation, Site, Tender


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
    load_equipment: str | None
    load_weight_kg: float
    load_volume_m3: float
    load_pallets: float
    load_hazmat_classes: str | None
    pickup_lon: float
    pickup_lat: float

    def load_view(self) -> LoadView:
        """The load as the audience sees it (``audience.load_view``), from this row."""
        return LoadView(self.load_id, self.seller_org_id, LoadNeeds(
            self.load_equipment, self.load_weight_kg, self.load_volume_m3, self.load_pallets,
            parse_hazmat(self.load_hazmat_classes)), self.pickup_lon, self.pickup_lat)


_COLUMNS = [getattr(Tender, f.name) for f in fields(TenderRow) if f.name in Tender.__table__.c]
_LOAD_COLUMNS = [Load.required_equipment, Load.weight_kg, Load.volume_m3, Load.pallets, Load.hazmat_classes,
                 func.ST_X(Site.location), func.ST_Y(Site.location)]
_TIMES = [i for i, f in enumerate(fields(TenderRow)) if f.name in ("deadline", "offer_started_at", "created_at",
                                                                      "closed_at")]


@functools.lru_cache(maxsize=4096)
def _statement(org_id: int, org_kind: str, dialect: str, lock: bool = True):
    """The statement for one caller, built once: SQLAlchemy then reuses its cache key and compiled form,
    which costs more than the query itself on this path."""
    columns = [*_COLUMNS, Organisation.settings, *_LOAD_COLUMNS]
    if dialect == "postgresql" and lock:
        # Evaluated for the one row returned, i.e. only for a tender the caller may see.
        columns.append(func.pg_advisory_xact_lock(Tender.id, bindparam("carrier")))
    query = (select(*columns)
             .join(Organisation, Organisation.id == Tender.seller_org_id)
             .join(Load, Load.id == Tender.load_id).join(Site, Site.id == Load.pickup_site_id)
             .where(Tender.id == bindparam("tender_id"),
                    visibility(Tender, Principal(org_id, org_kind, frozenset(), None, "token"))))
    # The statements of all callers share one compiled form; rows are read by position, so skip the
    # per-execution remapping of result columns to this statement's objects (an option the ORM itself
    # sets; an SQLAlchemy without it just remaps).
    return query.execution_options(_result_disable_adapt_to_context=True)


# Stands for the caller's organisation in the one PostgreSQL statement all callers of a kind share:
# compiling it costs milliseconds, so it is done once per kind, not once per organisation.
_ANY_ORG = -1_999_999_999


@functools.lru_cache(maxsize=8)
def _pg_template(org_kind: str, lock: bool):
    return compile_pg(_statement(_ANY_ORG, org_kind, "postgresql", lock), db.session.get_bind().dialect)


@functools.lru_cache(maxsize=4096)
def _pg_constants(org_id: int, org_kind: str, lock: bool) -> dict:
    return _pg_template(org_kind, lock).constants({_ANY_ORG: org_id})


def _read(tender_id: int, principal: Principal, lock: bool) -> TenderRow | None:
    dialect = db.session.get_bind().dialect.name
    params = {"tender_id": tender_id, "carrier": principal.organisation_id}
    if dialect != "postgresql":
        # On the session's connection, in its transaction, without the ORM's per-statement bookkeeping.
        row = db.session.connection().execute(_statement(principal.organisation_id, principal.org_kind, dialect,
                                                         lock), params).first()
        return None if row is None else TenderRow(*row)
    sql = _pg_template(principal.org_kind, lock).sql
    row = fetch_one(sql, {**_pg_constants(principal.organisation_id, principal.org_kind, lock), **params})
    if row is None:
        return None
    row = list(row)
    if lock:
        del row[-1]  # the lock call's empty result
    for i in _TIMES:
        row[i] = utc(row[i])
    return TenderRow(*row)


def tender_for_bid(tender_id: int, principal: Principal) -> TenderRow | None:
    """The tender if the principal may see it (None otherwise).

    On PostgreSQL the same statement takes the transaction-scoped advisory lock (tender, caller):
    a carrier's bids on one tender then run one after the other, and each sees the ones before
    (``bid_insert`` relies on it). Other carriers' bids do not wait for it.
    """
    return _read(tender_id, principal, lock=True)


def tender_for_grab(tender_id: int, principal: Principal) -> TenderRow | None:
    """The tender if the principal may see it (None otherwise); no lock: the award's conditional
    UPDATE decides between racing grabs."""
    return _read(tender_id, principal, lock=False)
