"""What a demo run did, counted as it goes: the days, orders and deliveries, and every failed step.

``haul demo --headless --report OUT.json`` writes it; a failed step is one the director logged
and retried (the first few errors are kept word for word, so a report says what broke).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

FIRST_ERRORS = 20


@dataclass
class Tally:
    days: int = 0
    orders: int = 0
    loads: int = 0
    loads_delivered: int = 0
    delivered_per_day: list[int] = field(default_factory=list)
    failed_steps: int = 0
    first_errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def failed(self, step: str, text: str) -> None:
        with self._lock:
            self.failed_steps += 1
            if len(self.first_errors) < FIRST_ERRORS:
                self.first_errors.append(f"{step}: {text}")

    def day_done(self, loads: int, delivered: int) -> None:
        with self._lock:
            self.days += 1
            self.loads += loads
            self.loads_delivered += delivered
            self.delivered_per_day.append(delivered)

    def as_dict(self, **extra) -> dict:
        with self._lock:
            out = {k: list(v) if isinstance(v, list) else v for k, v in vars(self).items() if not k.startswith("_")}
        return {**out, **extra}


def write_report(path: str | Path, report: dict) -> None:
    Path(path).write_text(json.dumps(report, indent=1) + "\n")
