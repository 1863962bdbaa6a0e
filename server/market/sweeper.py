"""The periodic market sweep: as a background thread, or as ``haul market sweep`` from the CLI.

Lazy refresh already applies deadlines and offer timeouts whenever someone looks; the
sweep makes them happen on time even when nobody looks, and tells carriers who came into
the widening radius since the previous sweep.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

import click

from server import clock
from server.extensions import db
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


class Sweeper(threading.Thread):
    """Sweeps every ``interval_s`` seconds until ``stop()``; errors are logged, never fatal."""

    def __init__(self, app, interval_s: float = 30.0):
        super().__init__(name="market-sweeper", daemon=True)
        self.app, self.interval_s = app, interval_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        since = None
        while not self._stop_event.is_set():
            try:
                report, since = sweep_once(self.app, since)
                if report.changed or report.widened:
                    log.info("market sweep: %s", report)
            except Exception:
                log.exception("market sweep failed")
            self._stop_event.wait(self.interval_s)

    def stop(self) -> None:
        self._stop_event.set()


@click.group("market")
def market_cli() -> None:
    """The carrier marketplace."""


@market_cli.command("sweep")
@click.option("--every", "every_s", type=float, default=0.0, show_default=True,
              help="repeat every N seconds (0: sweep once and exit)")
def sweep_command(every_s: float) -> None:
    """Apply deadlines and sequential-offer timeouts, and tell carriers newly in reach."""
    from server.app import create_app

    app = create_app()
    if every_s <= 0:
        report, _ = sweep_once(app)
        click.echo(f"checked {report.checked} open tenders, changed {report.changed}, widened {report.widened}"
                   + (f", errors: {report.errors}" if report.errors else ""))
        return
    sweeper = Sweeper(app, every_s)
    sweeper.start()
    try:
        sweeper.join()
    except KeyboardInterrupt:
        sweeper.stop()
