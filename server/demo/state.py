"""The demo day's state file, so a second ``haul demo`` resumes the day instead of repeating it.

The database is the truth about every load; this file only remembers which day the demo is
on and which orders and loads belong to it (``instance/demo/day.json``). Orders are posted
with idempotency keys made from the day number, so even a crash between posting and saving
creates no duplicate.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger("haul.demo")


@dataclass
class DayState:
    day: int = 0
    started_at: str | None = None
    order_ids: list[int] = field(default_factory=list)
    load_ids: list[int] = field(default_factory=list)
    routes: dict[str, list] = field(default_factory=dict)  # load id -> the planned waypoints [[lat, lon], ...]
    finished_at: str | None = None

    @property
    def open(self) -> bool:
        return self.day > 0 and self.finished_at is None


class StateFile:
    """Reads and atomically rewrites the day's state in ``folder``."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / "day.json"

    def load(self) -> DayState:
        try:
            raw = json.loads(self.path.read_text())
            return DayState(**{k: raw[k] for k in DayState.__dataclass_fields__ if k in raw})
        except FileNotFoundError:
            return DayState()
        except (ValueError, TypeError) as exc:
            log.warning("demo: ignoring an unreadable %s (%s); starting a new day", self.path, exc)
            return DayState()

    def save(self, state: DayState) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(state), indent=1))
        os.replace(temporary, self.path)  # atomic: a crash leaves the old file or the new one
