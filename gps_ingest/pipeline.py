"""The ingest pipeline: the steps, in order, in one list, and the runner that drives them.

``decode -> validate -> filter -> order -> enrich -> store -> detect -> publish``
(see `build_pipeline`). The unit that flows is a `Position`; the step contract is written down
as Protocols in `gps_ingest.steps`:

* the first step (`FirstStep`) turns a `Message` into a list of positions; the runner fans them out;
* a per-fix step (`FixStep`) is called with one position and returns it (maybe enriched) or
  ``None`` to drop it; a step that drops counts and logs the reason itself;
* a buffer step (`BufferStep`: order, store) has ``hold(position)`` and ``release(drain) ->
  positions``: the runner holds fixes in it and, on `Pipeline.flush`, continues the released
  fixes from the next step. Buffers are flushed in list order, so fixes released by the order
  step reach the store in the same flush;
* the step marked ``commits = True`` (store) is the commit point: a fix is *settled* when a
  step before it drops it or when it comes out of that step.

Acknowledgement contract for the caller (the MQTT worker or the OsmAnd HTTP view):

* `Pipeline.submit(message)` decodes and runs the message as far as the first buffer and
  returns the ids of messages that became committed (e.g. ones dropped whole);
* `Pipeline.flush(drain=False)` releases due fixes, writes them, runs detect and publish, and
  returns the ids of messages that became committed. Call it periodically (e.g. every 0.5 s)
  and ``drain=True`` at shutdown;
* acknowledge exactly the returned ids, in the returned order. A message is committed when
  each of its fixes is dropped or stored, so a crash before the ack loses nothing and the
  redelivery is a no-op (the store is idempotent on (vehicle_id, time)). With the default
  in-order `AckPolicy` the ack of a message waits for all earlier ones, as MQTT requires, so
  ack latency is about ``reorder_hold_s`` plus the flush interval: the broker must allow that
  many unacknowledged messages in flight per worker (Mosquitto ``max_inflight_messages``).

No exception escapes `submit` or `flush` but one: a step that raises drops the fix (or message) as
``internal_error``, except `gps_ingest.model.Unavailable` from the decode step (the vehicle
lookup's database is away), which `submit` raises to the caller with nothing taken: submit the
message again later. Both methods take a lock, so the MQTT network thread may submit while a
timer thread flushes.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace

from gps_ingest.acks import AckPolicy, AnyOrderAcks, InOrderAcks
from gps_ingest.checks import FilterStep, ValidateStep
from gps_ingest.decode import DecodeStep
from gps_ingest.decoders import Decoder, VehicleResolver, default_decoders
from gps_ingest.detect import DetectStep
from gps_ingest.device_brake import DeviceBrake
from gps_ingest.enrich import EnrichStep
from gps_ingest.eta import PlanProvider
from gps_ingest.metrics import Metrics
from gps_ingest.model import Clock, DropReason, Message, Position, Unavailable, evolve, utc_now
from gps_ingest.ordering import OrderStep
from gps_ingest.publish import Publisher, PublishStep
from gps_ingest.settings import IngestSettings
from gps_ingest.steps import BufferStep, FirstStep, Step
from gps_ingest.store import PositionStore, StoreStep
from gps_ingest.zones import ZoneIndex

log = logging.getLogger(__name__)


def build_pipeline(
    *,
    resolver: VehicleResolver,
    store: PositionStore,
    publisher: Publisher,
    zones: ZoneIndex | None = None,
    plans: PlanProvider | None = None,
    settings: IngestSettings | None = None,
    clock: Clock = utc_now,
    metrics: Metrics | None = None,
    decoders: Sequence[Decoder] | None = None,
    brake: DeviceBrake | None = None,
) -> Pipeline:
    """The standard pipeline; the list below is the one place that fixes the step order.

    ``brake``: the per-device garbage brake; it sees every drop of every step (through the
    metrics' gate) and the decode step tells it who sent each message."""
    settings = settings or IngestSettings()
    metrics = metrics or Metrics()
    if brake is not None:
        metrics.gate = brake.admit
    zones = zones if zones is not None else ZoneIndex()
    steps: list[FirstStep | Step] = [
        DecodeStep(decoders if decoders is not None else default_decoders(resolver, clock), settings, metrics,
                   brake),
        ValidateStep(settings, metrics),
        FilterStep(settings, clock, metrics),
        OrderStep(settings, clock),
        EnrichStep(zones, plans, settings, metrics),
        StoreStep(store, settings, metrics),
        DetectStep(settings, metrics),
        PublishStep(publisher, metrics),
    ]
    acks = InOrderAcks() if settings.ack_in_order else AnyOrderAcks()
    return Pipeline(steps, acks, metrics)


def _is_buffer(step: object) -> bool:
    return isinstance(step, BufferStep)


class Pipeline:
    """Runs a decode step followed by per-fix and buffer steps; tracks commits for acks."""

    def __init__(self, steps: Sequence[FirstStep | Step], acks: AckPolicy, metrics: Metrics):
        if not steps:
            raise ValueError("a pipeline needs at least a decode step")
        self.steps = list(steps)
        self.metrics = metrics
        self._decode: Callable[[Message], list[Position]] = self.steps[0]
        self._acks = acks
        commit = [i for i, step in enumerate(self.steps) if getattr(step, "commits", False)]
        self._commit_at = commit[0] if commit else len(self.steps) - 1
        self._lock = threading.RLock()
        self._aliases: dict[str, str] = {}  # internal id -> caller's id, for repeated in-flight ids
        self._alias_seq = itertools.count(1)

    def submit(self, message: Message) -> list[str]:
        """Take one message; returns the ids of messages that became committed."""
        with self._lock:
            self.metrics.add("messages")
            if message.id in self._acks:
                alias = f"{message.id}#{next(self._alias_seq)}"
                while alias in self._acks:
                    alias = f"{message.id}#{next(self._alias_seq)}"
                self._aliases[alias] = message.id
                message = replace(message, id=alias)
            try:
                positions = list(self._decode(message))
            except Unavailable:
                self._aliases.pop(message.id, None)
                raise
            except Exception:
                log.exception("decode raised on message %s", message.id)
                self.metrics.drop(DropReason.INTERNAL_ERROR, message, "decode")
                positions = []
            # A decoder must not relabel fixes, or their acks would never settle.
            positions = [p if p.message_id == message.id else _relabel(p, message.id) for p in positions]
            self._acks.track(message.id, len(positions))
            if self._commit_at == 0:
                for p in positions:
                    self._acks.settle(p.message_id)
            self._run(1, positions)
            return self._ready()

    def flush(self, drain: bool = False) -> list[str]:
        """Release due buffered fixes (all of them if ``drain``); returns newly committed ids."""
        with self._lock:
            for index, step in enumerate(self.steps):
                if index == 0 or not _is_buffer(step):
                    continue
                try:
                    released = list(step.release(drain))
                except Exception:
                    log.exception("release of step %s raised", type(step).__name__)
                    continue
                if index == self._commit_at:
                    for p in released:
                        self._acks.settle(p.message_id)
                self._run(index + 1, released)
            return self._ready()

    def pending(self) -> int:
        """Messages submitted but not yet reported as committed."""
        with self._lock:
            return self._acks.pending()

    def _run(self, start: int, items: list[Position]) -> None:
        for index in range(start, len(self.steps)):
            if not items:
                return
            step = self.steps[index]
            if _is_buffer(step):
                for p in items:
                    try:
                        step.hold(p)
                    except Exception:
                        log.exception(
                            "step %s could not hold a fix of vehicle %s", type(step).__name__, p.vehicle_id
                        )
                        self.metrics.drop(DropReason.INTERNAL_ERROR, p, type(step).__name__)
                        if index <= self._commit_at:
                            self._acks.settle(p.message_id)
                return
            kept = []
            for p in items:
                try:
                    out = step(p)
                except Exception:
                    log.exception("step %s raised on a fix of vehicle %s", type(step).__name__, p.vehicle_id)
                    self.metrics.drop(DropReason.INTERNAL_ERROR, p, type(step).__name__)
                    out = None
                if out is None:
                    if index <= self._commit_at:
                        self._acks.settle(p.message_id)
                    continue
                if out.message_id != p.message_id:  # acks are keyed by it, so a step may not change it
                    out = _relabel(out, p.message_id)
                if index == self._commit_at:
                    self._acks.settle(p.message_id)
                kept.append(out)
            items = kept

    def _ready(self) -> list[str]:
        ids = self._acks.ready()
        self.metrics.add("committed", len(ids))
        return [self._aliases.pop(i, i) for i in ids]


def _relabel(p: Position, message_id: str) -> Position:
    return evolve(p, message_id=message_id)
