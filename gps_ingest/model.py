"""The data that flows through the GPS ingest pipeline.

* `Message` is one raw inbound message: an MQTT publish (transport ``"mqtt"``, with a topic) or an
  OsmAnd HTTP request (transport ``"http"``, with a query string and/or body). Its ``id`` is chosen
  by the caller (the MQTT worker or HTTP view) and is what the pipeline hands back once the
  message is committed, so the caller can acknowledge it.
* `Position` is one GPS fix for one vehicle, in SI units (m/s, metres, degrees, percent), with a
  timezone-aware UTC time truncated to milliseconds. The decode step turns one message into a
  list of positions (a Haul batch holds many); every later step handles one position at a time
  and returns it, possibly enriched with `dataclasses.replace`, or ``None`` to drop it.
* `Event` is something the detect step noticed (zone enter/exit, arrival, dwell, ETA change).
* `DropReason` names every check that can drop input; each reason is a metrics counter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime; injected so tests control time."""


def utc_now() -> datetime:
    """The default `Clock`: the system time in UTC."""
    return datetime.now(UTC)


class DropReason(StrEnum):
    """Why an input was dropped. The value is the metrics counter name and the log tag."""

    # Whole-message problems, found by the decode step.
    OVERSIZED = "oversized"
    MALFORMED_JSON = "malformed_json"
    UNKNOWN_TOPIC = "unknown_topic"
    UNKNOWN_TYPE = "unknown_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_VEHICLE = "unknown_vehicle"
    TOPIC_MISMATCH = "topic_mismatch"
    # Per-position structure, found by decode (types) and validate (values).
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    NAN_OR_INF = "nan_or_inf"
    TIME_OUT_OF_RANGE = "time_out_of_range"
    LAT_OUT_OF_RANGE = "lat_out_of_range"
    LON_OUT_OF_RANGE = "lon_out_of_range"
    # The device itself says the fix is not valid (OsmAnd ``valid=false``).
    INVALID_FIX = "invalid_fix"
    # Plausibility, found by the filter step.
    ZERO_FIX = "zero_fix"
    DUPLICATE = "duplicate"
    FUTURE = "future"
    LOW_ACCURACY = "low_accuracy"
    IMPOSSIBLE_JUMP = "impossible_jump"
    # A step raised unexpectedly; the input is dropped so one bad fix cannot wedge the worker.
    INTERNAL_ERROR = "internal_error"
    # Refused by the HTTP endpoints before decoding: no live device login proven (401), or a
    # client or device that kept failing and is braked for a while (429).
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"


class Unavailable(Exception):
    """A seam the pipeline needs (the database) cannot answer now.

    `gps_ingest.pipeline.Pipeline.submit` lets it through instead of dropping the message: the
    message was *not* taken, nothing is committed, and the caller must submit it again later (the
    queue worker keeps it un-acknowledged; the OsmAnd endpoint answers 503). Dropping it would
    acknowledge a fix that was never stored.
    """


@dataclass(frozen=True, slots=True)
class Message:
    """One raw inbound message.

    ``transport`` is ``"mqtt"`` (``topic`` + ``payload``) or ``"http"`` (OsmAnd: ``query`` is the
    URL query string, ``payload`` the body, ``content_type`` its type). ``device`` is the identity
    the transport authenticated (HTTP credentials, or a broker-set MQTT 5 user property), if any;
    when given, the decoded vehicle must be the one that device is bound to.
    """

    id: str
    transport: str
    topic: str = ""
    payload: bytes = b""
    query: str = ""
    content_type: str = ""
    device: str | None = None


@dataclass(frozen=True, slots=True)
class ZoneTag:
    """The position lies inside the geofence of ``site_id``, whose kind is pickup/delivery/yard."""

    site_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a vehicle at ``time`` (the fix time), optionally at a site."""

    vehicle_id: str
    kind: str
    time: datetime
    site_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def _fast_frozen_init(cls: type) -> type:
    """Give a frozen, slotted dataclass an ``__init__`` that fills each slot through its descriptor.

    Why: the generated ``__init__`` of a frozen dataclass must get past its own ``__setattr__`` (which
    raises), so it calls ``object.__setattr__(self, name, value)`` per field: about 2 us for the 18
    fields of a `Position`, which is built three times per fix (decode, enrich, store), a tenth of
    an ingest worker's CPU with batched phones. Calling each slot's descriptor directly is the same
    write at half the cost. Same signature and defaults; the class stays frozen (assignment raises)
    and `dataclasses.replace` keeps working, since it calls ``__init__``.
    """
    namespace: dict[str, Any] = {}
    params = []
    for f in fields(cls):
        if f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: a default factory needs the generated __init__")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"    _set_{f.name}(self, {f.name})\n" for f in fields(cls))
    exec(f"def __init__(self, {', '.join(params)}):\n{body}", namespace)  # noqa: S102 (fixed text)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return cls


@_fast_frozen_init
@dataclass(frozen=True, slots=True)
class Position:
    """One GPS fix of one vehicle, as it moves through the pipeline.

    The decode step fills the fix fields (``attributes`` holds what the device said beyond the
    columns: a small flat dict, None when nothing; never mutate it); later steps fill the rest: ``late`` (order step: older
    than a fix already released for the vehicle, so stored but not used for events), ``zones``,
    ``eta`` and ``eta_site_id`` (enrich step), ``inserted`` (store step: False when the row was
    already there, i.e. a redelivery) and ``events`` (detect step).
    """

    message_id: str
    source: str
    vehicle_id: str
    time: datetime
    lat: float
    lon: float
    speed: float | None = None  # m/s
    heading: float | None = None  # degrees clockwise from north
    accuracy: float | None = None  # metres, horizontal
    altitude: float | None = None  # metres
    battery: float | None = None  # percent
    seq: int | None = None
    # What else the device said, flat and bounded (`gps_ingest.attributes`); not part of the hash.
    attributes: Mapping[str, Any] | None = field(default=None, hash=False)
    late: bool = False
    zones: tuple[ZoneTag, ...] = ()
    eta: datetime | None = None
    eta_site_id: str | None = None
    inserted: bool | None = None
    events: tuple[Event, ...] = ()

    @property
    def key(self) -> tuple[str, datetime]:
        """The identity of a fix: one vehicle is in one place at one time."""
        return (self.vehicle_id, self.time)


_KEEP: Any = object()


def evolve(p: Position, *, message_id: str = _KEEP, late: bool = _KEEP, zones: tuple[ZoneTag, ...] = _KEEP,
           eta: datetime | None = _KEEP, eta_site_id: str | None = _KEEP, inserted: bool | None = _KEEP,
           events: tuple[Event, ...] = _KEEP) -> Position:
    """`dataclasses.replace` for the fields the steps set, about three times faster.

    Every fix is copied two or three times on its way through the pipeline, and ``replace``
    (which looks up the fields on each call) was a sixth of the per-fix cost. The fix fields are
    passed positionally in declaration order; ``test_gps_model`` checks none is left out.
    """
    return Position(
        p.message_id if message_id is _KEEP else message_id, p.source, p.vehicle_id, p.time, p.lat, p.lon,
        p.speed, p.heading, p.accuracy, p.altitude, p.battery, p.seq, p.attributes,
        p.late if late is _KEEP else late, p.zones if zones is _KEEP else zones,
        p.eta if eta is _KEEP else eta, p.eta_site_id if eta_site_id is _KEEP else eta_site_id,
        p.inserted if inserted is _KEEP else inserted, p.events if events is _KEEP else events)
