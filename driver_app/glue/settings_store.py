"""The driver's settings, kept in a small JSON file in the app's data folder (Kivy-free).

Language, the last server address and e-mail (never the password), and the GPS publishing
settings. A missing or damaged file gives the defaults: settings are a convenience, and the
app must start without them.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from driver_app.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, Msg
from driver_app.core.publish_policy import PolicySettings
from driver_app.core.validation import FormInvalid

log = logging.getLogger(__name__)

INTERVAL_RANGE = (1.0, 3600.0)
DISTANCE_RANGE = (0.0, 10_000.0)


@dataclass(frozen=True)
class DriverSettings:
    language: str = DEFAULT_LANGUAGE
    server_url: str = ""
    email: str = ""
    gps_interval_s: float = 5.0
    gps_distance_m: float = 10.0

    def policy(self) -> PolicySettings:
        """The publishing policy these settings ask for (heartbeat never below the interval)."""
        return PolicySettings(
            interval_s=self.gps_interval_s,
            min_distance_m=self.gps_distance_m,
            heartbeat_s=max(300.0, self.gps_interval_s),
        )


class SettingsStore:
    """Reads and writes ``DriverSettings`` at ``path``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def load(self) -> DriverSettings:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return DriverSettings()
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", self.path, exc)
            return DriverSettings()
        known = {k: v for k, v in data.items() if k in DriverSettings.__dataclass_fields__} \
            if isinstance(data, dict) else {}
        try:
            settings = DriverSettings(**known)
            return with_gps(settings, str(settings.gps_interval_s), str(settings.gps_distance_m)) \
                if settings.language in LANGUAGES else DriverSettings()
        except (TypeError, FormInvalid):
            return DriverSettings()

    def save(self, settings: DriverSettings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(settings), indent=1), encoding="utf-8")
        tmp.replace(self.path)  # atomic: a crash never leaves half a file


def _number(text: Any, name: str, low: float, high: float, errors: list) -> float | None:
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors.append((name, Msg("Enter a number, e.g. 12500 or 12500.5.")))
        return None
    if not low <= value <= high:
        errors.append((name, Msg("Must be between {low} and {high}.", low=f"{low:g}", high=f"{high:g}")))
        return None
    return value


def with_gps(settings: DriverSettings, interval_text: Any, distance_text: Any) -> DriverSettings:
    """New settings with the GPS interval (s) and distance filter (m) typed in the form.

    Raises ``FormInvalid`` naming ``gps_interval_s`` / ``gps_distance_m`` when out of range.
    """
    errors: list[tuple[str, Msg]] = []
    interval = _number(interval_text, "gps_interval_s", *INTERVAL_RANGE, errors)
    distance = _number(distance_text, "gps_distance_m", *DISTANCE_RANGE, errors)
    if errors:
        raise FormInvalid(errors)
    assert interval is not None and distance is not None
    return replace(settings, gps_interval_s=interval, gps_distance_m=distance)
