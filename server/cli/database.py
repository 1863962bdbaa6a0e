"""``haul db upgrade`` and ``haul seed``."""

from __future__ import annotations

import click

from server.cli.common import build_app


@click.group("db")
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (safe to run again: it does nothing when up to date)."""
    from server.db.migrate import upgrade_to_head

    app = build_app()
    with app.app_context():
        applied = upgrade_to_head()
    click.echo(f"database is at head ({applied} migration(s) applied)")


@click.command("seed")
def seed() -> None:
    """Load the demo organisations, sites, fleets and orders (idempotent)."""
    from server.db.migrate import upgrade_to_head
    from server.seed import seed_demo

    app = build_app()
    with app.app_context():
        upgrade_to_head()
        summary = seed_demo(progress=True)
    click.echo(summary.describe())
