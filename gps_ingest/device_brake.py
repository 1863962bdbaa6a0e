"""The per-device garbage brake: a device that keeps sending garbage is braked, not the broker.

Every message is tagged with the device that sent it (`device_key`): on a Haul topic the vehicle
(the broker lets only that vehicle's devices publish there), on an OwnTracks topic the user (a
device login's username), over HTTP the authenticated login. A message that one of the
pipeline's checks drops as garbage (`GARBAGE`: bad JSON, wrong fields, out-of-range values,
future times, oversize) takes one token from its device's bucket (``garbage_burst`` tokens,
refilled at ``garbage_per_s``); one token per message, however many bad fixes it holds.

* **Within the bucket** the drop is counted and logged under its own reason, as before.
* **Over it** the drop is counted as ``rate_limited`` and not logged: a device flooding garbage
  costs a counter, not a log line per message. Good fixes never take a token and are never braked,
  so a broken phone's valid positions keep landing while its garbage is dropped.
* **Sustained**: braked messages are counted per device in windows of ``garbage_window_s``; at
  ``garbage_flag_after`` of them in one window the device is *flagged* (``on_abuse(key,
  "flagged", n)``: the carrier is told), at ``garbage_suspend_after`` it is *suspended*
  (``on_abuse(key, "suspended", n)``: its login is refused until the carrier re-enables it).
  Each fires once per window, at the moment the count reaches the limit.

Buckets and window counts live in Redis when the workers share one (`RedisGarbageBuckets`: one
atomic script per garbage message, so the limit holds across every ingest worker and each flag
fires once in the whole cluster), else in this process (`LocalGarbageBuckets`). Without Redis
(or while it is away) each process brakes on its own counts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from gps_ingest.model import DropReason, Message, Position
from gps_ingest.settings import IngestSettings

log = logging.getLogger(__name__)

GARBAGE = frozenset({
    DropReason.OVERSIZED, DropReason.MALFORMED_JSON, DropReason.UNKNOWN_TYPE, DropReason.UNSUPPORTED_VERSION,
    DropReason.TOPIC_MISMATCH, DropReason.MISSING_FIELD, DropReason.WRONG_TYPE, DropReason.NAN_OR_INF,
    DropReason.TIME_OUT_OF_RANGE, DropReason.LAT_OUT_OF_RANGE, DropReason.LON_OUT_OF_RANGE, DropReason.FUTURE,
})
"""Drops that say the sender is broken or hostile. Not here: what honest phones also send (zero,
duplicate, low-accuracy fixes, jumps: GPS noise and redeliveries) and what no device chose
(unknown vehicle, internal errors)."""

FLAGGED = "flagged"
SUSPENDED = "suspended"
AbuseCallback = Callable[[str, str, int], None]  # (device key, FLAGGED or SUSPENDED, braked in window)
_REMEMBERED_MESSAGES = 100_000  # in-flight message ids whose device is known (bounded by the ack window)


def device_key(message: Message) -> str | None:
    """Who sent ``message``: ``login:<username>`` or ``vehicle:<id>``; None when no device can be told."""
    if message.device:
        return f"login:{message.device}"
    parts = message.topic.split("/")
    if len(parts) == 5 and parts[:3] == ["haul", "v1", "vehicles"] and parts[3]:
        return f"vehicle:{parts[3]}"
    if len(parts) >= 3 and parts[0] == "owntracks" and parts[1]:
        return f"login:{parts[1]}"
    return None


@dataclass(frozen=True)
class BrakeLimits:
    """The brake's numbers (the ``garbage_*`` fields of `IngestSettings` document them)."""

    burst: int = 20
    per_s: float = 0.2
    window_s: float = 600.0
    flag_after: int = 300
    suspend_after: int = 3000

    @classmethod
    def from_settings(cls, settings: IngestSettings) -> BrakeLimits:
        return cls(settings.garbage_burst, settings.garbage_per_s, settings.garbage_window_s,
                   settings.garbage_flag_after, settings.garbage_suspend_after)


class GarbageBuckets(Protocol):
    def take(self, key: str, now: float) -> tuple[bool, int]:
        """Take a token for one garbage message of ``key``: (allowed, braked count in this window
        including this one if it was braked)."""
        ...


class LocalGarbageBuckets:
    """Token buckets and window counts in this process (bounded: the oldest devices are forgotten)."""

    def __init__(self, limits: BrakeLimits, max_keys: int = 100_000):
        self.limits, self._max_keys = limits, max_keys
        self._buckets: OrderedDict[str, list[float]] = OrderedDict()  # key -> [tokens, at, window, braked]
        self._lock = threading.Lock()

    def take(self, key: str, now: float) -> tuple[bool, int]:
        limits = self.limits
        window = float(int(now // limits.window_s))
        with self._lock:
            state = self._buckets.get(key)
            if state is None:
                state = self._buckets[key] = [float(limits.burst), now, window, 0.0]
                while len(self._buckets) > self._max_keys:
                    self._buckets.popitem(last=False)
            self._buckets.move_to_end(key)
            state[0] = min(float(limits.burst), state[0] + max(0.0, now - state[1]) * limits.per_s)
            state[1] = now
            if state[2] != window:
                state[2], state[3] = window, 0.0
            if state[0] >= 1.0:
                state[0] -= 1.0
                return True, int(state[3])
            state[3] += 1.0
            return False, int(state[3])


class DeviceBrake:
    """Decides, per garbage drop, whether it is counted under its reason or braked (see the module)."""

    def __init__(self, buckets: GarbageBuckets, limits: BrakeLimits, on_abuse: AbuseCallback | None = None,
                 clock: Callable[[], float] = time.time):
        self._buckets, self.limits, self._on_abuse, self._clock = buckets, limits, on_abuse, clock
        self._senders: OrderedDict[str, str] = OrderedDict()  # message id -> device key
        self._decided: OrderedDict[str, bool] = OrderedDict()  # message id -> allowed (one token a message)
        self._lock = threading.Lock()

    def note(self, message: Message) -> None:
        """Remember who sent ``message``, so the drops of its fixes find their device."""
        key = device_key(message)
        if key is None:
            return
        with self._lock:
            self._senders[message.id] = key
            _bound(self._senders)

    def admit(self, reason: DropReason, item: Position | Message) -> bool:
        """False when this drop is braked (count it as ``rate_limited``, log nothing)."""
        if reason not in GARBAGE:
            return True
        message_id = item.id if isinstance(item, Message) else item.message_id
        with self._lock:
            key = self._senders.get(message_id)
            if key is None and isinstance(item, Message):
                key = device_key(item)
            if key is None:
                return True
            decided = self._decided.get(message_id)
        if decided is not None:
            return decided
        allowed, braked = self._buckets.take(key, self._clock())
        with self._lock:
            self._decided[message_id] = allowed
            _bound(self._decided)
        if not allowed:
            self._escalate(key, braked)
        return allowed

    def _escalate(self, key: str, braked: int) -> None:
        limits = self.limits
        level = None
        if braked == limits.flag_after:
            level = FLAGGED
        elif limits.suspend_after and braked == limits.suspend_after:
            level = SUSPENDED
        if braked == 1:
            log.warning("device %s: garbage over %d at once or %g/s; its garbage is dropped as rate_limited",
                        key, limits.burst, limits.per_s)
        if level is None:
            return
        log.warning("device %s: %d braked garbage messages within %.0f s; %s", key, braked, limits.window_s, level)
        if self._on_abuse is not None:
            try:
                self._on_abuse(key, level, braked)
            except Exception:  # the pipeline goes on; the next window tries again
                log.exception("could not report device %s as %s", key, level)


def _bound(mapping: OrderedDict) -> None:
    while len(mapping) > _REMEMBERED_MESSAGES:
        mapping.popitem(last=False)
