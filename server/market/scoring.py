"""Scorecards from the database: the facts of each carrier's last N loads, and recording facts.

Facts are ``CarrierScoreEvent`` rows, one per (carrier, load, kind). The gate, yard and
delivery code record pickup and delivery punctuality and tracking share through
``record_trip``; the market records cancellations itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select

from server.extensions import db
from server.market.scorecard import MarketSettings, Scorecard, SettingsInvalid, build
from server.models import CarrierScoreEvent, Organisation

log = logging.getLogger("haul.market.scoring")
ADDITIVE = {"cancelled"}  # counted per load; every other kind is replaced by the newer fact


def settings_of(org_id: int) -> MarketSettings:
    """A seller's market settings; unusable stored settings fall back to the defaults (logged)."""
    org = db.session.get(Organisation, org_id)
    return settings_from(org.settings if org else None, org_id)


def settings_from(raw, org_id: int) -> MarketSettings:
    """Market settings from an organisation's stored ``settings`` (already read by the caller)."""
    try:
        return MarketSettings.from_settings(raw)
    except SettingsInvalid as exc:
        log.warning("organisation %s has invalid market settings (%s); using defaults", org_id, exc)
        return MarketSettings()


def scorecards(carrier_ids: Collection[int], window: int) -> dict[int, Scorecard]:
    """Each carrier's scorecard over its ``window`` most recent scored loads (one query)."""
    ids = sorted(set(carrier_ids))
    if not ids:
        return {}
    event = CarrierScoreEvent
    per_load = (select(event.carrier_org_id.label("carrier"), event.load_id.label("load"),
                       func.max(event.created_at).label("at"))
                .where(event.carrier_org_id.in_(ids))
                .group_by(event.carrier_org_id, event.load_id).subquery())
    ranked = select(per_load.c.carrier, per_load.c.load, func.row_number().over(
        partition_by=per_load.c.carrier, order_by=(per_load.c.at.desc(), per_load.c.load.desc())).label("rn")
    ).subquery()
    rows = db.session.execute(
        select(event.carrier_org_id, event.load_id, event.kind, event.value)
        .join(ranked, (ranked.c.carrier == event.carrier_org_id) & (ranked.c.load == event.load_id))
        .where(ranked.c.rn <= window))
    facts: dict[int, list] = defaultdict(list)
    for carrier, load, kind, value in rows:
        facts[carrier].append((load, kind, value))
    return {carrier: build(facts.get(carrier, ())) for carrier in ids}


def record(carrier_id: int, load_id: int, kind: str, value: float, now: datetime | None = None) -> None:
    """Add one fact to the session (the caller commits); a cancellation adds to an earlier one."""
    row = db.session.scalar(select(CarrierScoreEvent).where(
        CarrierScoreEvent.carrier_org_id == carrier_id, CarrierScoreEvent.load_id == load_id,
        CarrierScoreEvent.kind == kind))
    if row is None:
        row = CarrierScoreEvent(carrier_org_id=carrier_id, load_id=load_id, kind=kind, value=float(value))
        if now is not None:
            row.created_at = now
        db.session.add(row)
    else:
        row.value = row.value + float(value) if kind in ADDITIVE else float(value)
        if now is not None:
            row.created_at = now
    db.session.flush()


def record_trip(carrier_id: int, load_id: int, picked_up_on_time: bool | None = None,
                delivered_on_time: bool | None = None, tracked_share: float | None = None,
                now: datetime | None = None) -> None:
    """Record what a finished (or picked-up) trip says about the carrier; None leaves a fact out."""
    if picked_up_on_time is not None:
        record(carrier_id, load_id, "on_time_pickup", 1.0 if picked_up_on_time else 0.0, now)
    if delivered_on_time is not None:
        record(carrier_id, load_id, "on_time_delivery", 1.0 if delivered_on_time else 0.0, now)
    if tracked_share is not None:
        record(carrier_id, load_id, "tracked_share", min(max(float(tracked_share), 0.0), 1.0), now)
