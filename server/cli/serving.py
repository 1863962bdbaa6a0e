"""``haul serve``, ``haul demo`` and ``haul worker``: the processes that serve requests and jobs."""

from __future__ import annotations

import os

import click

from server.cli.common import build_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the web server (API, dashboards, Socket.IO)."""
    from server.db.migrate import schema_warning
    from server.extensions import socketio
    from server.gc_tuning import tune_gc

    app = build_app()
    with app.app_context():
        warning = schema_warning()
    if warning:  # a warning, not a refusal: a server behind a rolling upgrade may start before the migration
        click.echo(f"warning: {warning}", err=True)
    tune_gc()  # a process that only serves: see server.gc_tuning
    from server.server_errors import ProblemRequestHandler

    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, request_handler=ProblemRequestHandler)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--speed", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Time acceleration: simulated seconds per real second (60: a simulated minute per second).")
@click.option("--mqtt-port", type=int, default=None,
              help="Port of the embedded MQTT broker [default: HAUL_EMBEDDED_MQTT_PORT or 1884].")
def demo(host: str, port: int, speed: float, mqtt_port: int | None) -> None:
    """Run Haul on the embedded default with demo data and a live, simulated demo day."""
    from server.demo.launcher import run_demo

    run_demo(host, port, speed, mqtt_port, app_factory=build_app)


@click.command()
@click.option("--burst", is_flag=True, help="Exit when the queue is empty (for tests).")
def worker(burst: bool) -> None:
    """Run a background-job worker on the Redis queue (REDIS_URL must be set)."""
    from redis import Redis
    from rq import Queue, Worker

    from server.jobs.runner import serve_jobs_with

    url = os.environ.get("REDIS_URL")
    if not url:
        raise click.UsageError("REDIS_URL is not set; without it jobs run inside the server")
    connection = Redis.from_url(url)
    name = os.environ.get("HAUL_JOB_QUEUE", "haul")  # the same default as server.config
    serve_jobs_with(build_app())
    Worker([Queue(name, connection=connection)], connection=connection).work(burst=burst)
