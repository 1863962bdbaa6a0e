"""``haul driver``: run the Kivy driver app on this machine (desktop demo of the phone app)."""

from __future__ import annotations

import os

import click


@click.command("driver")
@click.option("--server", "server_url", default="http://127.0.0.1:5000", show_default=True,
              help="The Haul server the app signs in to (prefilled on the sign-in screen).")
@click.option("--simulate", "simulate_load", metavar="LOAD_ID", default=None,
              help="After sign-in, drive load LOAD_ID's route with the simulated GPS.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the app keeps its settings and outboxes (default: Kivy's user data dir).")
def driver(server_url: str, simulate_load: str | None, data_dir: str | None) -> None:
    """Run the driver app (Kivy) against SERVER; needs a display (or SDL_VIDEODRIVER=offscreen)."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # Kivy must not parse haul's own options
    from driver_app.app import HaulDriverApp

    HaulDriverApp(data_dir=data_dir, server_url=server_url, simulate_load=simulate_load).run()
