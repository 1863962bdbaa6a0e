"""Writing a bid: lock the tender, read the carrier's own active bids, apply ``check_bid``, insert, in as few
round trips and as short a lock as the database allows.

PostgreSQL runs it as one prepared statement (``fast_sql``). A CTE locks the tender row, counts the carrier's active
bids, finds its best price and the tender's lead, and inserts the bid only when the tender is
open and the auction rules hold; it returns the tender's status and version, the counts and the
new id (NULL when refused), and writes the bid's ``bid.placed`` audit event in the same statement (so the
trail costs the hot path no round trip). Python then applies ``check_bid`` to the same counts, so the rules
have one source of truth: a refusal raises with its reason and the caller's rollback removes
anything written; the SQL guard mirrors the rules so that a refused bid is not even inserted.

Locks, and why the counts are not stale although they come from the statement's own snapshot:
- ``FOR SHARE`` on the tender: bids of different carriers do not wait for each other, while an
  award or a close (an UPDATE of the row) waits for the bids in flight, and a bid that waited for
  an award sees the awarded row and is refused. A bid that may win at once (auto-accept) takes
  ``FOR UPDATE`` instead, as it goes on to update the row: two share holders upgrading would deadlock.
- the carrier's own earlier bids: ``tender_for_bid`` took the transaction-scoped advisory lock
  (tender, carrier) in an earlier statement, so this statement's snapshot, taken after it, holds
  every bid that carrier committed on the tender. The lead is for the board only: a bid of
  another carrier in flight may be missing from it.

SQLite (no row locks, no data-modifying CTEs) takes the database write lock with a no-op UPDATE,
then counts and inserts in two more statements.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sqlalchemy import case, func, insert, select, update

from server.db.fast_sql import fetch_one
from server.extensions import db
from server.market.awarding import current_status, not_open
from server.market.bid_rules import AuctionState, TenderTerms, check_bid
from server.models import AuditEvent, Bid, Tender

_PG_PLACE = """
WITH t AS (
    SELECT status, version FROM tenders WHERE id = :tender FOR {lock}
), mine AS (
    SELECT count(*) FILTER (WHERE carrier_org_id = :carrier) AS n,
           min(price) FILTER (WHERE carrier_org_id = :carrier) AS best,
           min(price) AS lead
    FROM bids WHERE tender_id = :tender AND status = 'active'
), placed AS (
    INSERT INTO bids (tender_id, carrier_org_id, price, status, created_at)
    SELECT :tender, :carrier, :price, 'active', :now FROM t, mine
    WHERE t.status = 'open' AND mine.n < :max_bids
      AND (mine.best IS NULL OR (:price <= mine.best - :decrement AND (:decrement <> 0 OR :price < mine.best)))
    RETURNING id
), audited AS (
    INSERT INTO audit_events (at, organisation_id, counterparty_org_id, user_id, token_id, via, action, object_type,
                              object_id, before, after, request_id)
    SELECT :audit_at, :audit_org, :audit_counterparty, :audit_user, :audit_token, CAST(:audit_via AS varchar),
           'bid.placed', 'bid',
           placed.id, NULL, CAST(:audit_after AS jsonb), :audit_request FROM placed
    WHERE CAST(:audit_via AS varchar) IS NOT NULL
)
SELECT t.status, t.version, mine.n, mine.best, mine.lead, (SELECT id FROM placed) FROM t, mine
"""
_PG_PLACE = re.sub(r":(\w+)", r"%(\1)s", _PG_PLACE)  # psycopg's placeholders
_PG_SHARED = _PG_PLACE.format(lock="SHARE")
_PG_EXCLUSIVE = _PG_PLACE.format(lock="UPDATE")


def _sqlite_lock(tender_id: int) -> int:
    """Take the database write lock with a no-op UPDATE, then read the version; 409 when not open.
    The statements after it see every bid committed before."""
    db.session.execute(update(Tender).where(Tender.id == tender_id, Tender.status == "open")
                       .values(version=Tender.version).execution_options(synchronize_session=False))
    version = db.session.scalar(select(Tender.version).where(Tender.id == tender_id, Tender.status == "open"))
    if version is None:
        raise not_open(current_status(tender_id))
    return version


def _counts(tender_id: int, carrier_id: int) -> tuple[int, float | None, float | None]:
    mine = Bid.carrier_org_id == carrier_id
    return tuple(db.session.execute(
        select(func.count(case((mine, 1))), func.min(case((mine, Bid.price))), func.min(Bid.price))
        .where(Bid.tender_id == tender_id, Bid.status == "active")).one())


def _audit_params(audit: dict | None) -> dict:
    if audit is None:
        return dict.fromkeys(("audit_at", "audit_org", "audit_counterparty", "audit_user", "audit_token", "audit_via",
                              "audit_after", "audit_request"))
    return {"audit_at": audit["at"].astimezone(UTC), "audit_org": audit["organisation_id"],
            "audit_counterparty": audit["counterparty_org_id"], "audit_user": audit["user_id"],
            "audit_token": audit["token_id"], "audit_via": audit["via"], "audit_after": json.dumps(audit["after"]),
            "audit_request": audit["request_id"]}


def insert_bid(tender_id: int, terms: TenderTerms, carrier_id: int, price: float, now: datetime,
               may_win: bool, audit: dict | None = None) -> tuple[int, float | None, int]:
    """Insert the carrier's bid if the tender is open and the auction rules allow it.

    Returns (new bid id, lead price before it, the tender's version under the lock). Raises
    ``MarketRefused`` (closed, too many bids, decrement too small); the caller rolls back. On
    PostgreSQL the transaction must hold ``tender_for_bid``'s advisory lock; ``may_win`` takes the
    tender's row lock exclusively, for a bid that may be awarded in the same transaction. ``audit`` is the
    ``bid.placed`` event's row (``trail.event_row``), written with the bid (its ``object_id`` is the new bid's);
    None writes none (the bid path's own tests).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        row = fetch_one(_PG_EXCLUSIVE if may_win else _PG_SHARED, {
            "tender": tender_id, "carrier": carrier_id, "price": float(price), "now": now.astimezone(UTC),
            "max_bids": terms.max_bids_per_carrier, "decrement": float(terms.min_decrement),
            **_audit_params(audit)})
        if row is None:  # tenders are never deleted; treat a vanished one as withdrawn
            raise not_open("cancelled")
        status, version, count, best, lead, bid_id = row
        if status != "open":
            raise not_open(status)
        check_bid(terms, AuctionState(now, count, best), price)
        if bid_id is None:  # the SQL guard and check_bid disagree: a bug, never a silent refusal
            raise RuntimeError(f"bid on tender {tender_id} refused by SQL but allowed by check_bid")
        return bid_id, lead, version
    version = _sqlite_lock(tender_id)
    count, best, lead = _counts(tender_id, carrier_id)
    check_bid(terms, AuctionState(now, count, best), price)
    bid_id = db.session.execute(insert(Bid).values(tender_id=tender_id, carrier_org_id=carrier_id, price=price,
                                                   status="active", created_at=now)).inserted_primary_key[0]
    if audit is not None:
        db.session.execute(insert(AuditEvent).values(**{**audit, "object_id": bid_id}))
    return bid_id, lead, version
