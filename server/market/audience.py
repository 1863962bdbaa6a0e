"""Who may act on a tender now, and who is told: the near-first audience, as in ride-hailing.

A carrier is in a tender's audience when it has a qualified truck (equipment, capacity,
hazmat), passes the seller's scorecard thresholds, and the tender's phase admits it:
- ``offer``: a sequential tender is offered to one preferred carrier at a time;
- ``private``: only the preferred carriers;
- ``near``: carriers with a free qualified truck whose last fix lies within the radius,
  which doubles every few minutes;
- ``all``: every qualified carrier.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape
from sqlalchemy import and_, bindparam, exists, select

from server.extensions import db
from server.market.nearby import Reach, near_ids_query, vehicles_near
from server.market.qualification import LoadNeeds, Truck, parse_hazmat, qualified, why_none_qualifies
from server.market.refusals import MarketRefused
from server.market.schedule import Widening
from server.market.scorecard import MarketSettings, ineligibility
from server.market.scoring import scorecards
from server.market.states import BUSY_LOAD_STATES
from server.market.ttl_cache import TTLCache
from server.models import Load, Organisation, Site, Tender, Vehicle, VehicleType

FRESH_FOR = timedelta(hours=6)  # a truck whose last fix is older is near nothing


@dataclass(frozen=True)
class LoadView:
    load_id: int
    seller_id: int
    needs: LoadNeeds
    lon: float
    lat: float


def _view(load_id, seller_id, equipment, weight_kg, volume_m3, pallets, hazmat, location) -> LoadView:
    point = to_shape(location)
    return LoadView(load_id, seller_id, LoadNeeds(equipment, weight_kg, volume_m3, pallets, parse_hazmat(hazmat)),
                    point.x, point.y)


_LOAD_VIEW = (select(Load.id, Load.seller_org_id, Load.required_equipment, Load.weight_kg, Load.volume_m3,
                     Load.pallets, Load.hazmat_classes, Site.location)
              .join(Site, Site.id == Load.pickup_site_id).where(Load.id == bindparam("load_id")))


def load_view(load: Load) -> LoadView:
    site = db.session.get(Site, load.pickup_site_id)
    return _view(load.id, load.seller_org_id, load.required_equipment, load.weight_kg, load.volume_m3, load.pallets,
                 load.hazmat_classes, site.location)


def load_view_of(load_id: int) -> LoadView:
    """``load_view`` of a load by id, in one query (no ORM objects)."""
    return _view(*db.session.execute(_LOAD_VIEW, {"load_id": load_id}).one())


@functools.lru_cache(maxsize=64)
def _trucks_query(dialect: str, limited: bool, prefilter: bool, hazmat: bool, near: bool):
    """The statement of one shape of ``trucks``, built once; its values are bound at execution."""
    busy = exists().where(and_(Load.vehicle_id == Vehicle.id, Load.status.in_(BUSY_LOAD_STATES)))
    query = (select(Vehicle.id, Vehicle.organisation_id, VehicleType.equipment, VehicleType.max_weight_kg,
                    VehicleType.max_volume_m3, VehicleType.pallet_positions, Vehicle.hazmat_certified, ~busy)
             .join(VehicleType, VehicleType.id == Vehicle.vehicle_type_id)
             .join(Organisation, Organisation.id == Vehicle.organisation_id)
             .where(Vehicle.active.is_(True), Organisation.active.is_(True), Organisation.kind == "carrier"))
    if limited:
        query = query.where(Vehicle.organisation_id.in_(bindparam("carrier_ids", expanding=True)))
    if prefilter:
        query = query.where(VehicleType.max_weight_kg >= bindparam("weight_kg"),
                            VehicleType.max_volume_m3 >= bindparam("volume_m3"),
                            VehicleType.pallet_positions >= bindparam("pallets"))
        if hazmat:
            query = query.where(Vehicle.hazmat_certified.is_(True))
    if near:
        query = query.where(Vehicle.id.in_(near_ids_query(dialect)), ~busy)
    return query


def trucks(needs: LoadNeeds, carrier_ids=None, prefilter: bool = True, near: Reach | None = None) -> list[Truck]:
    """Active trucks of active carriers; ``prefilter`` drops those too small in SQL already, and
    ``near`` keeps only free trucks near the pickup."""
    dialect = db.session.get_bind().dialect.name
    query = _trucks_query(dialect, carrier_ids is not None, prefilter, prefilter and bool(needs.hazmat),
                          near is not None)
    params = {"weight_kg": needs.weight_kg, "volume_m3": needs.volume_m3, "pallets": needs.pallets}
    if carrier_ids is not None:
        params["carrier_ids"] = list(carrier_ids)
    if near is not None:
        params.update(near.params())
    return [Truck(vid, org, tuple(equipment or ()), w, v, p, bool(hz), bool(free))
            for vid, org, equipment, w, v, p, hz, free in db.session.execute(query, params)]


@dataclass(frozen=True)
class Phase:
    kind: str  # offer | private | near | all
    carriers: frozenset[int] = frozenset()
    reach_km: float | None = None
    open_to_all_at: datetime | None = None
    key: tuple = field(default=())


def widening(tender: Tender, settings: MarketSettings) -> Widening:
    return Widening(tender.radius_km, timedelta(minutes=settings.radius_step_minutes), settings.radius_max_km)


def board_opened_at(tender: Tender) -> datetime:
    """When the tender reached the open board: at creation, or when a sequential one ran out of offers."""
    if tender.mode == "sequential" and tender.offer_started_at is not None:
        return tender.offer_started_at
    return tender.created_at


def phase(tender: Tender, settings: MarketSettings, now: datetime) -> Phase:
    preferred = [int(c) for c in tender.preferred_carrier_ids or ()]
    if tender.mode == "sequential" and tender.sequential_index < len(preferred):
        return Phase("offer", frozenset({preferred[tender.sequential_index]}), key=("offer", tender.sequential_index))
    if tender.private:
        return Phase("private", frozenset(preferred), key=("private",))
    rule = widening(tender, settings)
    opened = board_opened_at(tender)
    tier = rule.tier(opened, now)
    if tier is None:
        return Phase("all", key=("all",))
    return Phase("near", reach_km=rule.base_km * 2 ** tier, open_to_all_at=rule.open_to_all_at(opened),
                 key=("near", tier))


def _fresh_since(now: datetime) -> datetime:
    return now - FRESH_FOR


def compute_audience(tender: Tender, view: LoadView, settings: MarketSettings, now: datetime) -> set[int]:
    current = phase(tender, settings, now)
    limit = current.carriers if current.kind in ("offer", "private") else None
    near = None
    if current.kind == "near":
        near = Reach(view.lon, view.lat, current.reach_km, _fresh_since(now))
    carriers = {t.carrier_id for t in qualified(view.needs, trucks(view.needs, limit, near=near))}
    if settings.has_thresholds and carriers:
        cards = scorecards(carriers, settings.window)
        carriers = {c for c in carriers if not ineligibility(cards[c], settings)}
    return carriers


audience_cache = TTLCache()


def lazy_view(load_id: int) -> Callable[[], LoadView]:
    """The load's view, read from the database on first use only (a cached audience needs none)."""
    return functools.cache(lambda: load_view_of(load_id))


def _same_audience_key(tender: Tender, view: LoadView, settings: MarketSettings, now: datetime) -> tuple:
    """Everything ``compute_audience`` reads besides the fleet's data: tenders that agree on it have
    the same audience. A plant tenders many alike loads (same pickup, same truck needs), so one
    computation serves all of them."""
    current = phase(tender, settings, now)
    database = current_app.config["SQLALCHEMY_DATABASE_URI"]  # carrier ids are one database's
    return ("same", database, current.kind, current.carriers, current.reach_km, view.lon, view.lat, view.needs,
            settings)


def _shared_audience(tender: Tender, view: LoadView | Callable[[], LoadView], settings: MarketSettings,
                     now: datetime, ttl: float) -> tuple[set[int], float]:
    """(the audience, seconds it stays valid): computed, or taken from an alike tender's computation.

    The seconds left are passed on, so an audience is never served longer than ``ttl`` after the
    fleet's data was read, however many tenders share it. An alike tender's entry that is due for
    refresh is recomputed, so the shared entry is refreshed ahead of its expiry too."""
    view = view() if callable(view) else view
    key = _same_audience_key(tender, view, settings, now)
    with audience_cache.once(key):
        hit = audience_cache.fresh(key)
        if hit is not None:
            return hit
        carriers = compute_audience(tender, view, settings, now)
        audience_cache.put(key, carriers, ttl)
    return carriers, ttl


def audience(tender: Tender, settings: MarketSettings, now: datetime, view: LoadView | Callable[[], LoadView]) -> set[int]:
    """The carriers told about this tender now (cached for MARKET_AUDIENCE_TTL_S seconds)."""
    ttl = float(current_app.config.get("MARKET_AUDIENCE_TTL_S", 5.0))
    if ttl <= 0:
        return compute_audience(tender, view() if callable(view) else view, settings, now)
    # Per tender first: a hit needs neither the load's view nor the phase's content.
    key = (tender.id, tender.created_at, tender.version, phase(tender, settings, now).key)
    hit = audience_cache.get(key)
    if hit is not None:
        carriers, due = hit
        if due:
            ahead = audience_cache.once(key)
            if ahead.acquire(blocking=False):  # one caller refreshes; the others use the entry meanwhile
                try:
                    carriers, left = _shared_audience(tender, view, settings, now, ttl)
                    audience_cache.put(key, carriers, left)
                finally:
                    ahead.release()
        return carriers
    with audience_cache.once(key):
        hit = audience_cache.get(key)  # another thread may have computed it while this one waited
        if hit is None:
            carriers, left = _shared_audience(tender, view, settings, now, ttl)
            audience_cache.put(key, carriers, left)
        else:
            carriers = hit[0]
    return carriers


def may_act(tender: Tender, settings: MarketSettings, carrier_id: int, now: datetime,
            view: Callable[[], LoadView]) -> None:
    """Refuse (403, with reasons) a carrier that may not act on the tender now.

    A carrier in the cached audience passes at once; this is what lets a burst of bids skip the
    truck and distance queries. Anyone else gets the full check, so a refusal is never stale;
    an acceptance may be up to MARKET_AUDIENCE_TTL_S old.
    """
    if carrier_id in audience(tender, settings, now, view):
        return
    check_standing(tender, view(), settings, carrier_id, now)


def check_standing(tender: Tender, view: LoadView, settings: MarketSettings, carrier_id: int,
                   now: datetime) -> None:
    """Refuse (403) a carrier that may not act on the tender now, saying why."""
    current = phase(tender, settings, now)
    if current.kind == "offer" and carrier_id not in current.carriers:
        raise MarketRefused("forbidden", "offered_to_another",
                            _("This tender is offered to another preferred carrier first."))
    if current.kind == "private" and carrier_id not in current.carriers:
        raise MarketRefused("forbidden", "not_invited",
                            _("This private tender is for invited carriers only."))
    own = trucks(view.needs, [carrier_id], prefilter=False)
    fit = qualified(view.needs, own)
    if not fit:
        gaps = why_none_qualifies(view.needs, own)
        raise MarketRefused("forbidden", "not_qualified",
                            _("No truck of yours qualifies for this load: %(gaps)s.", gaps="; ".join(gaps)),
                            [("carrier", gap) for gap in gaps])
    if settings.has_thresholds:
        card = scorecards([carrier_id], settings.window)[carrier_id]
        reasons = ineligibility(card, settings)
        if reasons:
            raise MarketRefused("forbidden", "below_thresholds",
                                _("Your scorecard is below this seller's thresholds: %(reasons)s.",
                                  reasons="; ".join(reasons)), [("scorecard", r) for r in reasons])
    if current.kind == "near":
        free = [t.vehicle_id for t in fit if t.free]
        if not vehicles_near(db.session, free, view.lon, view.lat, current.reach_km, _fresh_since(now)):
            raise MarketRefused("forbidden", "not_near_yet",
                                _("This tender goes first to carriers with a free qualified truck within "
                                  "%(reach_km)s km of the pickup; it opens to every qualified carrier at "
                                  "%(open_to_all_at)s.", reach_km=format(current.reach_km, 'g'),
                                  open_to_all_at=current.open_to_all_at.isoformat()))
