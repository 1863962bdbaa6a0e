"""``haul market sweep``: apply deadlines and offer timeouts even when nobody looks."""

from __future__ import annotations

import click

from server.cli.common import build_app


@click.group("market")
def market() -> None:
    """The carrier marketplace."""


@market.command("sweep")
@click.option("--every", "every_s", type=float, default=0.0, show_default=True,
              help="repeat every N seconds (0: sweep once and exit)")
def sweep_command(every_s: float) -> None:
    """Apply deadlines and sequential-offer timeouts, and tell carriers newly in reach."""
    from server.market.sweeper import Sweeper, sweep_once

    app = build_app()
    if every_s <= 0:
        report, _ = sweep_once(app)
        click.echo(f"checked {report.checked} open tenders, changed {report.changed}, widened {report.widened}"
                   + (f", errors: {report.errors}" if report.errors else ""))
        return
    Sweeper(app, every_s).run_until_interrupted()
