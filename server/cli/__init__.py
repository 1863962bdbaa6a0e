"""The ``haul`` command. Every command and group is named here; each lives in its own module.

This is the command layer: it (with ``server.bench``) may build apps with ``create_app``; the
domain packages never do, they are handed an app or a factory.
"""

from __future__ import annotations

import click

from server.cli.approvals import approvals
from server.cli.bench import bench
from server.cli.broker import broker
from server.cli.database import db, seed
from server.cli.driver import driver
from server.cli.evidence import evidence
from server.cli.ingest import ingest
from server.cli.market import market
from server.cli.serving import demo, serve, worker
from server.cli.webhooks import webhooks
from server.cli.yard import yard


@click.group()
def main() -> None:
    """Haul: dispatch and tracking for B2B freight."""


for command in (serve, demo, db, seed, worker, ingest, driver, evidence, market, yard, webhooks, broker, bench,
                approvals):
    main.add_command(command)
