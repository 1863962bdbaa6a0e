"""The periodic market sweep as a background thread (``haul market sweep`` runs it: ``server.cli.market``).

Lazy refresh already applies deadlines and offer timeouts whenever someone looks; the
sweep makes them happen on time even when nobody looks, and tells carriers who came into
the widening radius since the previous sweep.
"""

from __future__ import annotations

import logging
from datetime import datetime

from server import clock
from server.extensions import db
from server.jobs.periodic import Periodic
from server.market.tendering import SweepReport, sweep

log = logging.getLogger("haul.market.sweeper")


def sweep_once(app, since: datetime | None = None) -> tuple[SweepReport, datetime]:
    """One sweep in its own app context; returns the report and the time it swept at."""
    with app.app_context():
        now = clock.now()
        try:
            return sweep(now, since), now
        finally:
            db.session.remove()


class Sweeper(Periodic):
    """Sweeps every ``interval_s`` seconds until ``stop()``; errors are logged, never fatal."""

    def __init__(self, app, interval_s: float = 30.0):
        super().__init__("market-sweeper", interval_s)
        self.app, self.since = app, None

    def step(self) -> None:
        report, self.since = sweep_once(self.app, self.since)
        if report.changed or report.widened or report.reminded:
            log.info("market sweep: %s", report)
