"""The ``haul`` command: serve, demo, db upgrade, seed, bench, ingest, driver."""

from __future__ import annotations

import importlib
import os
import pkgutil

import click

from server import bench as bench_pkg


def _app(**overrides):
    from server.app import create_app

    return create_app(overrides)


@click.group()
def main() -> None:
    """Haul: dispatch and tracking for B2B freight."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (safe to run again: it does nothing when up to date)."""
    from server.db.migrate import upgrade_to_head

    app = _app()
    with app.app_context():
        applied = upgrade_to_head()
    click.echo(f"database is at head ({applied} migration(s) applied)")


@main.command()
def seed() -> None:
    """Load the demo organisations, sites, fleets and orders (idempotent)."""
    from server.db.migrate import upgrade_to_head
    from server.seed import seed_demo

    app = _app()
    with app.app_context():
        upgrade_to_head()
        summary = seed_demo(progress=True)
    click.echo(summary.describe())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the web server (API, dashboards, Socket.IO)."""
    from server.db.migrate import schema_warning
    from server.extensions import socketio
    from server.gc_tuning import tune_gc

    app = _app()
    with app.app_context():
        warning = schema_warning()
    if warning:  # a warning, not a refusal: a server behind a rolling upgrade may start before the migration
        click.echo(f"warning: {warning}", err=True)
    tune_gc()  # a process that only serves: see server.gc_tuning
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--speed", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Time acceleration: simulated seconds per real second (60: a simulated minute per second).")
@click.option("--mqtt-port", type=int, default=None,
              help="Port of the embedded MQTT broker [default: HAUL_EMBEDDED_MQTT_PORT or 1884].")
def demo(host: str, port: int, speed: float, mqtt_port: int | None) -> None:
    """Run Haul on the embedded default with demo data and a live, simulated demo day."""
    from server.demo.launcher import run_demo

    run_demo(host, port, speed, mqtt_port)


def _register_bench_commands() -> None:
    for info in pkgutil.iter_modules(bench_pkg.__path__):
        importlib.import_module(f"{bench_pkg.__name__}.{info.name}")
    main.add_command(bench_pkg.bench)


_register_bench_commands()


@main.command()
@click.option("--burst", is_flag=True, help="Exit when the queue is empty (for tests).")
def worker(burst: bool) -> None:
    """Run a background-job worker on the Redis queue (REDIS_URL must be set)."""
    from redis import Redis
    from rq import Queue, Worker

    url = os.environ.get("REDIS_URL")
    if not url:
        raise click.UsageError("REDIS_URL is not set; without it jobs run inside the server")
    connection = Redis.from_url(url)
    name = os.environ.get("HAUL_JOB_QUEUE", "haul")  # the same default as server.config
    Worker([Queue(name, connection=connection)], connection=connection).work(burst=burst)


main.add_command(importlib.import_module("server.cli_ingest").ingest)
main.add_command(importlib.import_module("server.cli_driver").driver)
main.add_command(importlib.import_module("server.cli_evidence").evidence)

main.add_command(importlib.import_module("server.market.sweeper").market_cli)
main.add_command(importlib.import_module("server.notify.worker").webhooks_cli)
