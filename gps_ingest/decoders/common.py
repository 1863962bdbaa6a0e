"""What every decoder shares: the `Decoder` and `VehicleResolver` protocols and field parsers.

A decoder turns one `Message` into a `Decoded`: the positions it holds, plus one drop reason
per fix (or per message) it could not use. A problem with the whole message is raised as
`Reject` and becomes one drop of the message. The field parsers below raise `Reject` with the
right reason (``missing_field``, ``wrong_type``, ``nan_or_inf``, ``time_out_of_range``), so the
decoders read like a list of fields.

Identity: decoders never trust a vehicle id from a device. They pass the device identity to
the injected `VehicleResolver` under a *source* name:

* ``"haul"``: the ``{vehicle_id}`` from a Haul topic (the resolver confirms it exists);
* ``"owntracks"``: ``"{user}/{device}"`` from an OwnTracks topic (MQTT, or HTTP mode);
* ``"device"``: `Message.device`, the login the transport authenticated. Over HTTP this is the
  only identity (`device_vehicle`): the server authenticates every request before the pipeline
  sees it, so an OsmAnd ``id`` is never looked up here.

An identity that resolves to nothing drops the message as ``unknown_vehicle``. When the message
carries an authenticated ``device`` and that device is not bound to the decoded vehicle, or the
payload names another vehicle or topic than the one it came on, it drops as ``topic_mismatch``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import orjson

from gps_ingest.model import DropReason, Message, Position

SOURCE_HAUL = "haul"
SOURCE_OWNTRACKS = "owntracks"
SOURCE_DEVICE = "device"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGIT_RUN = b"0" * 19  # 19 digits may exceed a signed 64-bit integer, which orjson makes a float
_FEW_BRACKETS = 500  # so nested at most this deep: both parsers agree (a batch of 498 fixes has 500)


class Reject(Exception):
    """Raised by a decoder for input it cannot use; carries the drop reason.

    ``path`` names the field at fault as a JSON-pointer-like path in the payload (``timestamp``,
    ``positions/3/lat``, ``location/coords/latitude``), empty when the fault is the whole message;
    the drop log line and the HTTP answer's field errors show it.
    """

    def __init__(self, reason: DropReason, detail: str = "", path: str = ""):
        super().__init__(f"{reason.value}: {path + ' ' if path else ''}{detail}")
        self.reason = reason
        self.detail = detail
        self.path = path

    def within(self, prefix: str) -> Reject:
        """The same rejection for a field inside ``prefix`` (an element of a batch, say)."""
        return Reject(self.reason, self.detail, f"{prefix}/{self.path}" if self.path else prefix)


@dataclass
class Decoded:
    """The result of decoding one message.

    ``drops`` has one `Reject` per unusable fix; ``ignored`` marks a well-formed message that
    carries no fix by design (an OwnTracks transition, an empty batch).
    """

    positions: list[Position] = field(default_factory=list)
    drops: list[Reject] = field(default_factory=list)
    ignored: bool = False


class Decoder(Protocol):
    """Turns one kind of inbound message into positions."""

    name: str

    def accepts(self, message: Message) -> bool:
        """Whether this decoder handles ``message`` (by transport and topic)."""
        ...

    def decode(self, message: Message) -> Decoded:
        """Decode ``message``; may raise `Reject` for a problem with the whole message."""
        ...


class VehicleResolver(Protocol):
    """Maps a device identity to a Haul vehicle id (cache in the implementation).

    It raises nothing but `gps_ingest.model.Unavailable`, when it cannot tell (its database is away
    and it has no cached answer): "unknown" would drop a fix the broker already acknowledged."""

    def resolve(self, source: str, identity: str) -> str | None: ...


class StaticResolver:
    """A `VehicleResolver` over a fixed mapping ``{(source, identity): vehicle_id}``."""

    def __init__(self, mapping: Mapping[tuple[str, str], str]):
        self._mapping = dict(mapping)

    def resolve(self, source: str, identity: str) -> str | None:
        return self._mapping.get((source, identity))


def resolve_vehicle(resolver: VehicleResolver, message: Message, source: str, identity: str) -> str:
    """The vehicle for ``identity``, checked against the authenticated device of ``message``."""
    vehicle_id = resolver.resolve(source, identity)
    if vehicle_id is None:
        raise Reject(DropReason.UNKNOWN_VEHICLE, f"{source} identity {identity!r}")
    if message.device is not None and resolver.resolve(SOURCE_DEVICE, message.device) != vehicle_id:
        raise Reject(DropReason.TOPIC_MISMATCH, f"device {message.device!r} is not bound to {vehicle_id!r}")
    return vehicle_id


def device_vehicle(resolver: VehicleResolver, message: Message) -> str:
    """The vehicle of the login that sent ``message`` over HTTP (`Reject` when there is none)."""
    if message.device is None:
        raise Reject(DropReason.UNKNOWN_VEHICLE, "the request was not authenticated")
    vehicle_id = resolver.resolve(SOURCE_DEVICE, message.device)
    if vehicle_id is None:
        raise Reject(DropReason.UNKNOWN_VEHICLE, f"device {message.device!r} has no live vehicle")
    return vehicle_id


def parse_json(payload: bytes) -> Any:
    """The JSON document in ``payload``, or `Reject` as ``malformed_json``.

    The standard library's parser decides what a document means; orjson (a fifth of its CPU per
    payload, which was 6% of a worker's) parses whatever it would parse the same way. It refuses
    NaN, Infinity, out-of-range floats, lone surrogates, byte-order marks and UTF-16/32 that the
    standard library takes, it turns integers beyond 64 bits into floats, and it nests deeper than
    the standard library (whose limit is Python's recursion limit, about 1,000 less the stack in
    use). So a refusal, any run of 19 or more digits, or more than `_FEW_BRACKETS` brackets in the
    payload sends it to the standard library instead.
    """
    if (isinstance(payload, bytes | bytearray) and payload.count(b"[") + payload.count(b"{") <= _FEW_BRACKETS
            and _LONG_DIGIT_RUN not in payload.translate(_DIGITS_TO_ZERO)):
        try:
            return orjson.loads(payload)
        except orjson.JSONDecodeError:
            pass  # maybe valid for the standard library, or maybe malformed: it decides below
    try:
        return json.loads(payload)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise Reject(DropReason.MALFORMED_JSON, type(exc).__name__) from None


def require_object(value: Any, path: str = "") -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else `Reject` as ``wrong_type`` (``path``: where it is)."""
    if not isinstance(value, dict):
        raise Reject(DropReason.WRONG_TYPE, "must be an object", path)
    return value


def missing(key: str) -> Reject:
    """The rejection of a required field that is absent (or JSON ``null``)."""
    return Reject(DropReason.MISSING_FIELD, "is required", key)


def number(obj: Mapping[str, Any], key: str, required: bool = False) -> float | None:
    """The JSON number at ``key`` as a float; JSON ``null`` counts as absent."""
    value = obj.get(key)
    if type(value) is float:  # the common case, per field of every fix: skip the checks below
        return value
    if value is None:
        if required:
            raise missing(key)
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Reject(DropReason.WRONG_TYPE, "must be a number", key)
    return to_float(value, key)


def integer(obj: Mapping[str, Any], key: str) -> int | None:
    """The optional JSON integer at ``key``."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Reject(DropReason.WRONG_TYPE, "must be an integer", key)
    return value


def text(obj: Mapping[str, Any], key: str, required: bool = False) -> str | None:
    """The JSON string at ``key``."""
    value = obj.get(key)
    if value is None:
        if required:
            raise missing(key)
        return None
    if not isinstance(value, str):
        raise Reject(DropReason.WRONG_TYPE, "must be a string", key)
    return value


def to_float(value: int | float | str, key: str) -> float:
    """``value`` as a float; unparsable text is ``wrong_type``, too large an integer ``nan_or_inf``."""
    try:
        return float(value)
    except OverflowError:
        raise Reject(DropReason.NAN_OR_INF, "overflows", key) from None
    except ValueError:
        raise Reject(DropReason.WRONG_TYPE, "must be a number", key) from None


def epoch_time(value: float, unit_s: float, key: str) -> datetime:
    """The UTC time ``value`` units of ``unit_s`` seconds after the epoch, truncated to ms."""
    if not math.isfinite(value):
        raise Reject(DropReason.NAN_OR_INF, "is not finite", key)
    try:
        return _EPOCH + timedelta(milliseconds=math.floor(value * unit_s * 1000))
    except (OverflowError, ValueError):
        raise Reject(DropReason.TIME_OUT_OF_RANGE, "is out of range", key) from None


def iso_time(value: str, key: str) -> datetime:
    """An ISO 8601 time as UTC truncated to ms; a time without offset is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Reject(DropReason.WRONG_TYPE, "must be an ISO 8601 time", key) from None
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


def received_now(clock: Callable[[], datetime]) -> datetime:
    """The server's time, truncated to ms like a device's, for a fix that came without one."""
    now = clock()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
