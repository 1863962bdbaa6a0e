"""A background thread that runs one step every few seconds (the sweeps of ``haul market|yard sweep``).

A step's error is logged and the next step runs on time: a sweep that fails once must not stop
deadlines, offers or no-shows from being applied for the rest of the day.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("haul.jobs.periodic")


class Periodic(threading.Thread):
    """Calls ``self.step()`` every ``interval_s`` seconds until ``stop()``."""

    def __init__(self, name: str, interval_s: float):
        super().__init__(name=name, daemon=True)
        self.interval_s = interval_s
        self._stop_event = threading.Event()

    def step(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.step()
            except Exception:
                log.exception("%s failed", self.name)
            self._stop_event.wait(self.interval_s)

    def stop(self) -> None:
        self._stop_event.set()

    def run_until_interrupted(self) -> None:
        """Start, and wait until Ctrl-C (a ``haul ... sweep --every N`` command's whole life)."""
        self.start()
        try:
            self.join()
        except KeyboardInterrupt:
            self.stop()
