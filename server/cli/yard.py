"""``haul yard sweep``: mark trucks that missed their slot as no-shows, and release the slots of trucks whose
trip has not started, at every site, on time."""

from __future__ import annotations

import click

from server.cli.common import build_app


@click.group("yard")
def yard() -> None:
    """The plants' yards and docks."""


@yard.command("sweep")
@click.option("--every", "every_s", type=float, default=0.0, show_default=True,
              help="repeat every N seconds (0: sweep once and exit)")
def sweep_command(every_s: float) -> None:
    """Free the docks of trucks that did not come (each site's no-show grace after the slot's start) or whose
    trip has not started (sharing GPS, not on their way half an hour ahead); the trucks behind move up."""
    from server.yard.no_show_sweep import NoShowSweeper, sweep_once

    app = build_app()
    if every_s <= 0:
        marked = sweep_once(app)
        click.echo(f"slots given up (no-shows, trips not started): {sum(map(len, marked.values()))} "
                   f"at {len(marked)} sites")
        return
    NoShowSweeper(app, every_s).run_until_interrupted()
