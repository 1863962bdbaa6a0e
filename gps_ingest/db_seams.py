"""The pipeline's seams to the Haul database: vehicle resolver, plan provider and site geofences.

All three read with SQLAlchemy Core on a plain engine (no Flask app needed) and cache, because
the pipeline calls them per fix:

* `DbResolver` maps device identities to vehicle ids (strings of ``vehicles.id``): ``("haul",
  "<vehicle id>")`` when the vehicle exists and is active (checked against the set of all active
  vehicle ids, reloaded in one query every few seconds, not one query per new vehicle), ``("device",
  username)`` and ``("owntracks", "user/device")`` through a live `DeviceCredential` on an active
  vehicle (the OwnTracks *user* is the credential's username, as the broker or HTTP Basic
  authenticated it, and the *device* its ``owntracks_device``). Answers, including "unknown", are
  cached for ``ttl_s`` (at most 5 s for "unknown") so a flood of unknown ids costs one query per
  id per TTL; the cache is bounded. The HTTP endpoint's resolver keeps answers 1 s, so a revoked
  login stops resolving within a second there.
* `DbPlans` gives a vehicle's next stop from the load it is assigned to (``loads.vehicle_id``
  with an active status): the pickup site before pickup, else the delivery site; the target is
  the site's location point. The whole table of active assignments is reloaded every ``ttl_s``.
* `load_geofences` reads every site with a geofence once; `ZoneRefresher` reloads them into a
  `ZoneIndex` periodically (the index swaps atomically; lookups never query the database).

The zone kind of a site is ``pickup`` for plants and warehouses and ``delivery`` for customer
sites; what an enter/exit *means* for a load is decided against the load's own pickup and
delivery sites by `server.tracking.load_meaning`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from geoalchemy2.shape import to_shape
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from gps_ingest.decoders.common import SOURCE_DEVICE, SOURCE_HAUL, SOURCE_OWNTRACKS
from gps_ingest.eta import RemainingRoute
from gps_ingest.model import Unavailable
from gps_ingest.zones import Geofence, ZoneIndex

log = logging.getLogger(__name__)

ACTIVE_LOAD_STATUSES = ("assigned", "authorized", "at_pickup", "loading", "in_transit")
BEFORE_PICKUP = ("assigned", "authorized", "at_pickup", "loading")
SITE_ZONE_KIND = {"plant": "pickup", "warehouse": "pickup", "customer": "delivery"}


def make_engine(url: str, **options) -> Engine:
    """An engine set up like the app's: SpatiaLite on SQLite, pre-ping on PostgreSQL."""
    from server.config import is_sqlite
    from server.db.spatial import prepare_engine, sqlite_engine_options

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if is_sqlite(url):
        options.update(sqlite_engine_options())
    else:
        options.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **options)
    prepare_engine(engine)
    return engine


class DbResolver:
    """A cached `VehicleResolver` over vehicles and device credentials."""

    def __init__(self, engine: Engine, ttl_s: float = 60.0, max_entries: int = 100_000):
        self._engine = engine
        self._ttl = ttl_s
        self._max = max_entries
        self._cache: OrderedDict[tuple[str, str], tuple[float, str | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._vehicles: frozenset[str] = frozenset()
        self._vehicles_at = -1e18

    def resolve(self, source: str, identity: str) -> str | None:
        key = (source, identity)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        try:
            value = self._lookup(source, identity)
        except Exception as exc:
            # A database hiccup keeps the stale answer if there is one; without one the message
            # must wait (Unavailable), not be dropped as an unknown vehicle (seen in the fault
            # bench: 480 acknowledged fixes dropped while PostgreSQL restarted).
            if hit is not None:
                log.warning("vehicle lookup failed for %s %r (%s); using the cached answer", source, identity, exc)
                return hit[1]
            log.warning("vehicle lookup failed for %s %r (%s); the message waits", source, identity, exc)
            raise Unavailable(f"vehicle lookup for {source} {identity!r}") from exc
        with self._lock:
            # "Unknown" is cached briefly only: a device may be paired moments before it publishes.
            self._cache[key] = (now + (self._ttl if value is not None else min(self._ttl, 5.0)), value)
            self._cache.move_to_end(key)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return value

    def invalidate(self) -> None:
        """Forget every cached answer (after credentials change)."""
        with self._lock:
            self._cache.clear()
            self._vehicles_at = -1e18

    def _active_vehicles(self, max_age_s: float | None = None) -> frozenset[str]:
        """All active vehicle ids, read in one query at most every ``ttl_s / 10`` (a new vehicle
        shows up within seconds; a fleet of 100,000 ids is a few megabytes)."""
        from server.models import Vehicle

        now = time.monotonic()
        if now - self._vehicles_at >= (self._ttl / 10 if max_age_s is None else max_age_s):
            with self._engine.connect() as conn:
                ids = conn.execute(select(Vehicle.id).where(Vehicle.active.is_(True))).scalars()
                self._vehicles = frozenset(str(i) for i in ids)
            self._vehicles_at = now
        return self._vehicles

    def _lookup(self, source: str, identity: str) -> str | None:
        from server.models import DeviceCredential, Vehicle

        if source == SOURCE_HAUL:
            if not identity.isdigit() or not 0 < int(identity) < 2**31:
                return None
            if identity in self._active_vehicles():
                return identity
            # A vehicle created since the last read: look again, at most once a second.
            return identity if identity in self._active_vehicles(max_age_s=1.0) else None
        # A live login on an active vehicle: a revoked login or a deactivated truck resolves to nothing.
        query = select(DeviceCredential.vehicle_id).join(Vehicle, Vehicle.id == DeviceCredential.vehicle_id).where(
            DeviceCredential.revoked_at.is_(None), Vehicle.active.is_(True))
        if source == SOURCE_DEVICE:
            query = query.where(DeviceCredential.username == identity)
        elif source == SOURCE_OWNTRACKS:
            # owntracks/<user>/<device>: the login named <user> that publishes as <device>.
            user, _, device = identity.partition("/")
            query = query.where(DeviceCredential.username == user, DeviceCredential.owntracks_device == device)
        else:
            return None
        with self._engine.connect() as conn:
            value = conn.execute(query).scalar()
        return None if value is None else str(value)


class DbPlans:
    """A `PlanProvider`: the next stop of each vehicle from its active load (the pickup, then the delivery; on a
    multi-drop load its first undelivered stop), reloaded every TTL."""

    def __init__(self, engine: Engine, ttl_s: float = 30.0):
        self._engine = engine
        self._ttl = ttl_s
        self._routes: dict[str, RemainingRoute] = {}
        self._expires = 0.0
        self._lock = threading.Lock()

    def remaining_route(self, vehicle_id: str) -> RemainingRoute | None:
        if time.monotonic() >= self._expires:
            with self._lock:
                if time.monotonic() >= self._expires:
                    self._reload()
        return self._routes.get(vehicle_id)

    def _reload(self) -> None:
        from server.models import Load, LoadStop, Site

        self._expires = time.monotonic() + self._ttl
        try:
            with self._engine.connect() as conn:
                rows = conn.execute(
                    select(Load.id, Load.vehicle_id, Load.status, Load.pickup_site_id, Load.delivery_site_id)
                    .where(Load.vehicle_id.is_not(None), Load.status.in_(ACTIVE_LOAD_STATUSES))
                    .order_by(Load.id)).all()
                # A multi-drop load's next stop is its first undelivered delivery stop, in stop order.
                next_stop: dict[int, int] = {}
                for load_id, site_id in conn.execute(
                        select(LoadStop.load_id, LoadStop.site_id).join(Load, Load.id == LoadStop.load_id)
                        .where(Load.vehicle_id.is_not(None), Load.status.in_(ACTIVE_LOAD_STATUSES),
                               LoadStop.kind == "delivery", LoadStop.status != "delivered")
                        .order_by(LoadStop.load_id, LoadStop.seq)):
                    next_stop.setdefault(load_id, site_id)
                site_ids = {r.pickup_site_id for r in rows} | {r.delivery_site_id for r in rows} | set(next_stop.values())
                points = {}
                if site_ids:
                    for site_id, location in conn.execute(
                            select(Site.id, Site.location).where(Site.id.in_(site_ids))):
                        point = to_shape(location)
                        points[site_id] = (point.y, point.x)
        except Exception:
            log.exception("could not reload vehicle plans; keeping the previous ones")
            return
        routes = {}
        for r in rows:
            site_id = r.pickup_site_id if r.status in BEFORE_PICKUP else next_stop.get(r.id, r.delivery_site_id)
            routes.setdefault(str(r.vehicle_id), RemainingRoute(str(site_id), points.get(site_id)))
        self._routes = routes


def load_geofences(engine: Engine) -> list[Geofence]:
    """Every site geofence as a `Geofence` (kind from the site kind); invalid ones are skipped."""
    from server.models import Site

    fences = []
    with engine.connect() as conn:
        for site_id, kind, geofence in conn.execute(
                select(Site.id, Site.kind, Site.geofence).where(Site.geofence.is_not(None))):
            polygon = to_shape(geofence)
            if polygon.is_empty or not polygon.is_valid:
                log.warning("site %s has an invalid geofence; skipped", site_id)
                continue
            fences.append(Geofence(str(site_id), SITE_ZONE_KIND.get(kind, "yard"), polygon))
    return fences


class ZoneRefresher:
    """Keeps a `ZoneIndex` in step with the sites table, reloading every ``interval_s``."""

    def __init__(self, engine: Engine, index: ZoneIndex, interval_s: float = 60.0):
        self._engine = engine
        self.index = index
        self._interval = interval_s
        self._next = 0.0

    def maybe_refresh(self) -> bool:
        """Reload when due; returns whether it reloaded. Failures keep the old zones."""
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self._interval
        try:
            self.index.refresh(load_geofences(self._engine))
        except Exception:
            log.exception("could not refresh geofences; keeping the previous ones")
            return False
        return True
