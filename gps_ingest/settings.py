"""Settings of the ingest pipeline: one frozen dataclass, readable from the environment.

Each step copies what it needs in its ``__init__``; nothing reads settings on the hot path.
`IngestSettings.from_env` reads ``HAUL_GPS_<FIELD_NAME_UPPER>`` variables, e.g.
``HAUL_GPS_MAX_ACCURACY_M=150``; unset variables keep the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields


class SettingsError(ValueError):
    """Invalid settings; ``errors`` lists (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in errors))


@dataclass(frozen=True)
class IngestSettings:
    """Every knob of the pipeline, with its default."""

    # decode
    max_payload_bytes: int = 256 * 1024
    # filter
    future_tolerance_s: float = 300.0  # fixes further ahead of the clock are dropped as `future`
    max_accuracy_m: float = 150.0  # coarser fixes are dropped as `low_accuracy`
    max_speed_kmh: float = 250.0  # faster implied speeds are `impossible_jump`
    jump_window_s: float = 900.0  # compare with the previous fix only if this close in time
    duplicate_memory: int = 512  # recent fix times remembered per vehicle for `duplicate`
    # order
    reorder_hold_s: float = 5.0  # how long a fix waits for late siblings before release
    reorder_max_held: int = 200  # per vehicle; beyond this the oldest fixes are released early
    # store
    store_batch_size: int = 500  # rows per store write
    # enrich
    road_factor: float = 1.3  # road distance / great-circle distance, when there is no route
    min_speed_kmh: float = 15.0  # floor of the smoothed speed used for ETA
    speed_time_constant_s: float = 300.0  # time constant of the speed EWMA
    # detect
    dwell_minutes: float = 10.0
    stationary_speed_kmh: float = 3.0
    eta_change_minutes: float = 5.0
    emit_on_first_fix: bool = False  # after a restart, the first fix only primes the state
    # acks
    ack_in_order: bool = True  # MQTT requires PUBACKs in receive order
    # the per-device garbage brake (gps_ingest.device_brake)
    garbage_burst: int = 20  # garbage messages a device may send at once before it is braked
    garbage_per_s: float = 0.2  # and then a second, on average; beyond, its garbage is `rate_limited`
    garbage_window_s: float = 600.0  # braked messages are counted per device over this window
    garbage_flag_after: int = 300  # braked in one window: the carrier is told
    garbage_suspend_after: int = 3000  # braked in one window: the login is suspended (0: never)

    def __post_init__(self) -> None:
        errors = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                continue
            if not isinstance(value, int | float):
                errors.append((f.name, "must be a number"))
            elif value < 0 or (value == 0 and f.name in _POSITIVE):
                errors.append((f.name, "must be positive" if f.name in _POSITIVE else "must not be negative"))
        if errors:
            raise SettingsError(errors)

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str = "HAUL_GPS_") -> IngestSettings:
        """Settings from ``env`` (e.g. ``os.environ``); a bad value raises `SettingsError`."""
        values: dict[str, object] = {}
        errors = []
        for f in fields(cls):
            raw = env.get(prefix + f.name.upper())
            if raw is None:
                continue
            default = getattr(cls, f.name)
            try:
                if isinstance(default, bool):
                    if raw.strip().lower() not in _BOOLS:
                        raise ValueError(raw)
                    values[f.name] = _BOOLS[raw.strip().lower()]
                else:
                    values[f.name] = type(default)(raw)
            except ValueError:
                errors.append((f.name, f"cannot parse {raw!r} as {type(default).__name__}"))
        if errors:
            raise SettingsError(errors)
        return cls(**values)


_POSITIVE = {
    "max_payload_bytes",
    "max_accuracy_m",
    "max_speed_kmh",
    "duplicate_memory",
    "reorder_max_held",
    "store_batch_size",
    "road_factor",
    "min_speed_kmh",
    "speed_time_constant_s",
    "garbage_burst",
    "garbage_per_s",
    "garbage_window_s",
    "garbage_flag_after",
}
_BOOLS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}
