"""``haul approvals remind``: remind organisations of approval requests that wait too long."""

from __future__ import annotations

import time
from datetime import timedelta

import click
from flask import Flask

from server.cli.common import build_app


@click.group("approvals")
def approvals() -> None:
    """Approval chains."""


@approvals.command("remind")
@click.option("--after-hours", type=float, default=4.0, show_default=True,
              help="remind a request that waited this long since it was opened or last reminded")
@click.option("--every", "every_s", type=float, default=0.0, show_default=True,
              help="repeat every N seconds (0: once and exit)")
@click.pass_context
def remind_command(click_ctx: click.Context, after_hours: float, every_s: float) -> None:
    """Send the reminders that are due."""
    from server import clock
    from server.approvals.reminders import remind

    app = click_ctx.obj if isinstance(click_ctx.obj, Flask) else build_app()
    while True:
        with app.app_context():
            sent = remind(clock.now(), timedelta(hours=after_hours))
        click.echo(f"reminded {sent}")
        if every_s <= 0:
            return
        time.sleep(every_s)
