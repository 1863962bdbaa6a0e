"""``haul webhooks deliver``: a webhook delivery process (one round, or forever with ``--every``)."""

from __future__ import annotations

import click
from flask import Flask

from server.cli.common import build_app


@click.group("webhooks")
def webhooks() -> None:
    """Outgoing webhooks."""


@webhooks.command("deliver")
@click.option("--every", "every_s", type=float, default=0.0, show_default=True,
              help="poll every N seconds (0: one round and exit)")
@click.pass_context
def deliver_command(click_ctx: click.Context, every_s: float) -> None:
    """Send the webhook deliveries that are due (a round, or forever with --every)."""
    from server.notify.worker import DeliveryWorker

    # An app passed as the context object (tests) is used as is; otherwise one from the environment.
    app = click_ctx.obj if isinstance(click_ctx.obj, Flask) else build_app()
    if every_s <= 0:
        report = DeliveryWorker(app, poll_s=0).run_once()
        click.echo(f"claimed {report.claimed}, delivered {report.delivered}, retrying {report.retrying}, "
                   f"gave up {report.gave_up}, cancelled {report.cancelled}, disabled {len(report.disabled)}")
        return
    worker = DeliveryWorker(app, poll_s=every_s)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(1.0)
    except KeyboardInterrupt:
        worker.stop()
