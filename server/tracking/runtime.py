"""Assembling the ingest pipeline on the real services, for every process that ingests.

`build_runtime` wires the pure pipeline to the database (`SqlPositionStore`, `DbResolver`,
`DbPlans`, geofences from the sites), to the load-event recorder and to the Socket.IO fan-out.
The recorder's ``arrived_pickup`` events go on to the yard's gate check-in and new pickup ETAs to
its dock re-planning (`YardFromIngest`), in ``app``'s context (default: the active app, else one ``app_factory`` builds on first use).
It is used by ``haul ingest`` (MQTT workers), by the OsmAnd HTTP endpoint inside the server
and by ``haul demo``'s embedded ingest thread.

Socket.IO from a separate process needs Redis: `emitter_for` returns Flask-SocketIO's external
emitter (``SocketIO(message_queue=REDIS_URL)``), which every server process relays to its
clients; inside a server process the app's own ``socketio.emit`` is used instead.

Worker defaults differ from `IngestSettings` in one place: the reorder hold is 0.02 s instead of
5 s. Every held fix also holds its message's ack (in-order PUBACKs) and delays the live view by as
much: at 5,000 msg/s a 5 s hold means 25,000+ un-acked messages in flight per worker and a
dashboard 5 s behind, while the latency target is 500 ms publish->client. A phone's offline backlog
arrives as one batch message and is ordered within the flush anyway; a backlog that arrives after
newer live fixes is stored as ``late`` (no events from it). So the hold only has to cover messages
of one vehicle that overtake each other on the way in (a few milliseconds). With 0.1 s (and 0.1 s
between flushes) a fix took 160-180 ms from publish to commit at the median; with 0.02 s (and
``haul ingest``'s 0.05 s flushes) 70-80 ms, and 145-165 ms from publish to a dashboard instead of
255-275 ms (docs/deployment.md, 2026-12-07 night). ``HAUL_GPS_REORDER_HOLD_S`` overrides.

Every pipeline built here has the per-device garbage brake (`gps_ingest.device_brake`), its buckets
in Redis when ``REDIS_URL`` is set (one limit across all workers and server processes), and its
reports going to `server.tracking.device_abuse` (carrier told; login suspended beyond the hard
limit, its broker connections closed through ``HAUL_BROKER_MANAGEMENT_URL``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from flask import Flask
from sqlalchemy.engine import Engine

from gps_ingest.db_seams import DbPlans, DbResolver, ZoneRefresher, make_engine
from gps_ingest.device_brake import BrakeLimits, DeviceBrake
from gps_ingest.metrics import Metrics
from gps_ingest.pipeline import Pipeline, build_pipeline
from gps_ingest.settings import IngestSettings
from gps_ingest.shared_brake import garbage_buckets
from gps_ingest.socket_publisher import Emit, FanOut, SocketPublisher
from gps_ingest.sql_store import SqlPositionStore
from gps_ingest.zones import ZoneIndex
from server.tracking.device_abuse import DeviceAbuseReporter
from server.tracking.events import LoadEventRecorder
from server.tracking.partitions import maintain
from server.tracking.rooms import DbRoomDirectory
from server.yard.arrivals import YardFromIngest

log = logging.getLogger(__name__)

WORKER_HOLD_S = 0.02
MAINTENANCE_EVERY_S = 3600.0


def ingest_settings(env: Mapping[str, str] | None = None, **overrides) -> IngestSettings:
    """Settings from ``HAUL_GPS_*`` variables, with the worker's defaults, then ``overrides``."""
    env = os.environ if env is None else env
    settings = IngestSettings.from_env(env)
    if "HAUL_GPS_REORDER_HOLD_S" not in env:
        settings = replace(settings, reorder_hold_s=WORKER_HOLD_S)
    return replace(settings, **overrides) if overrides else settings


def emitter_for(redis_url: str | None) -> Emit:
    """An emit function for a process outside the server: through Redis, or a logged no-op."""
    if not redis_url:
        log.warning("REDIS_URL is not set: this process cannot reach Socket.IO clients of the server")
        return lambda _event, _data, _room: None
    return RedisEmitter(redis_url)


class RedisEmitter:
    """Flask-SocketIO's external emitter (``SocketIO(message_queue=...)``), plus `batch` and `many`.

    `batch` is what the `SocketPublisher` uses: a whole flush as one Redis message, which the
    servers' `server.tracking.live_batches.BatchingRedisManager` splits per client.

    `many` sends a whole batch of the `SocketPublisher` in one Redis round trip: it lets the
    library's own pub/sub manager encode each emit (so the servers read the messages as usual)
    while its Redis client is swapped for a pipeline. One emit costs about 60 us of CPU on its
    own and 20 us in a pipeline, which at thousands of fixes a second is most of the fan-out.
    """

    def __init__(self, redis_url: str):
        from flask_socketio import SocketIO

        # The servers' channel (HAUL_SOCKETIO_CHANNEL, as in server.config), or they would not hear us.
        self._external = SocketIO(message_queue=redis_url,
                                  channel=os.environ.get("HAUL_SOCKETIO_CHANNEL", "flask-socketio"))
        self._manager = self._external.server.manager
        self._lock = threading.Lock()

    def __call__(self, event: str, data, room: str) -> None:
        self._external.emit(event, data, to=room, namespace="/")

    def batch(self, frame: dict) -> None:
        """One frame of the `SocketPublisher` as one Redis message (see `server.tracking.live_batches`)."""
        from server.tracking.live_batches import BATCH_EVENT, BATCH_ROOM

        with self._lock:
            self._external.emit(BATCH_EVENT, frame, to=BATCH_ROOM, namespace="/")

    def many(self, items) -> None:
        manager = self._manager
        with self._lock:
            if getattr(manager, "redis", None) is None or not hasattr(manager.redis, "pipeline"):
                for event, data, room in items:
                    self(event, data, room)
                return
            client = manager.redis
            pipe = client.pipeline(transaction=False)
            manager.redis = pipe
            try:
                for event, data, room in items:
                    manager.emit(event, data, namespace="/", room=room)
            finally:
                manager.redis = client
            pipe.execute()


@dataclass
class IngestRuntime:
    """A pipeline on the real services, plus the periodic chores around it."""

    engine: Engine
    pipeline: Pipeline
    store: SqlPositionStore
    metrics: Metrics
    resolver: DbResolver
    rooms: DbRoomDirectory
    sockets: SocketPublisher
    recorder: LoadEventRecorder
    zones: ZoneRefresher
    retention_days: int = 0
    _next_maintenance: float = field(default=0.0)

    def tick(self) -> None:
        """Refresh geofences when due; create partitions and apply retention hourly."""
        self.zones.maybe_refresh()
        now = time.monotonic()
        if now >= self._next_maintenance:
            self._next_maintenance = now + MAINTENANCE_EVERY_S
            try:
                report = maintain(self.engine, self.retention_days)
                if report["created"] or report["dropped"] or report["deleted"]:
                    log.info("positions maintenance: %s", report)
            except Exception:
                log.exception("positions maintenance failed; retrying in an hour")

    def close(self) -> None:
        self.recorder.stop()
        self.sockets.stop()
        self.engine.dispose()


def build_runtime(database_url: str | None = None, emit: Emit | None = None,
                  settings: IngestSettings | None = None, engine: Engine | None = None,
                  retention_days: int | None = None, throttle_s: float = 1.0,
                  app: Flask | None = None, app_factory: Callable[[], Flask] | None = None,
                  resolver_ttl_s: float = 60.0) -> IngestRuntime:
    """The ingest pipeline on the database at ``database_url`` (or ``engine``), fanning out via ``emit``.

    The yard's hooks run in ``app`` (default: the active one); a process without an app (``haul
    ingest``) passes ``app_factory`` instead, called on the first arrival. ``resolver_ttl_s`` is how
    long a device's vehicle is remembered (the HTTP endpoint keeps it 1 s, so revocations show at once)."""
    if engine is None:
        if database_url is None:
            from server.config import load_config

            database_url = load_config()["SQLALCHEMY_DATABASE_URI"]
        engine = make_engine(database_url, pool_size=5, max_overflow=5) if not database_url.startswith(
            "sqlite") else make_engine(database_url)
    settings = settings or ingest_settings()
    if retention_days is None:
        retention_days = int(os.environ.get("HAUL_POSITIONS_RETENTION_DAYS", "0"))
    metrics = Metrics()
    resolver = DbResolver(engine, ttl_s=resolver_ttl_s)
    rooms = DbRoomDirectory(engine)
    sockets = SocketPublisher(emit or emitter_for(os.environ.get("REDIS_URL")), rooms,
                              min_interval_s=throttle_s).start()
    yard = YardFromIngest.for_process(app, app_factory)
    recorder = LoadEventRecorder(engine, downstream=sockets, yard=yard).start()
    zones = ZoneRefresher(engine, ZoneIndex())
    zones.maybe_refresh()
    store = SqlPositionStore(engine)
    limits = BrakeLimits.from_settings(settings)
    brake = DeviceBrake(garbage_buckets(os.environ.get("REDIS_URL"), limits), limits,
                        DeviceAbuseReporter(engine, os.environ.get("HAUL_BROKER_MANAGEMENT_URL", "")))
    pipeline = build_pipeline(resolver=resolver, store=store, publisher=FanOut(recorder, sockets),
                              zones=zones.index, plans=DbPlans(engine), settings=settings, metrics=metrics,
                              brake=brake)
    return IngestRuntime(engine, pipeline, store, metrics, resolver, rooms, sockets, recorder, zones,
                         retention_days)
