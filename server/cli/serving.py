"""``haul serve``, ``haul demo`` and ``haul worker``: the processes that serve requests and jobs.

``haul serve`` is the production server (``production_server``); ``haul demo`` keeps the threaded
development server for its one-machine demo day."""

from __future__ import annotations

import os

import click

from server.cli.common import build_app


def _env_number(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--idle-timeout", type=click.FloatRange(0.5, 300), default=lambda: _env_number("HAUL_SERVE_IDLE_TIMEOUT_S", 5),
              show_default="HAUL_SERVE_IDLE_TIMEOUT_S or 5",
              help="Seconds a client has to send a request's line and headers, and an idle keep-alive connection "
                   "stays open.")
@click.option("--body-timeout", type=click.FloatRange(1, 3600), default=lambda: _env_number("HAUL_SERVE_BODY_TIMEOUT_S", 30),
              show_default="HAUL_SERVE_BODY_TIMEOUT_S or 30", help="Seconds a request's body has to arrive (else 408).")
@click.option("--max-connections", type=click.IntRange(10, 100_000),
              default=lambda: int(_env_number("HAUL_SERVE_MAX_CONNECTIONS", 1000)),
              show_default="HAUL_SERVE_MAX_CONNECTIONS or 1000", help="Open connections the server holds at once.")
@click.option("--worker-timeout", type=click.IntRange(10, 3600),
              default=lambda: int(_env_number("HAUL_SERVE_WORKER_TIMEOUT_S", 360)),
              show_default="HAUL_SERVE_WORKER_TIMEOUT_S or 360",
              help="A worker that answers nobody this long is replaced (above the longest in-process solve, 300 s).")
@click.option("--graceful-timeout", type=click.IntRange(0, 600),
              default=lambda: int(_env_number("HAUL_SERVE_GRACEFUL_TIMEOUT_S", 10)),
              show_default="HAUL_SERVE_GRACEFUL_TIMEOUT_S or 10", help="Seconds open requests get to finish on stop.")
def serve(host: str, port: int, idle_timeout: float, body_timeout: float, max_connections: int,
          worker_timeout: int, graceful_timeout: int) -> None:
    """Run the production web server (API, dashboards, Socket.IO): gunicorn with one gevent worker."""
    from server.cli.production_server import exec_gunicorn

    exec_gunicorn(host, port, idle_timeout_s=idle_timeout, body_timeout_s=body_timeout,
                  max_connections=max_connections, worker_timeout_s=worker_timeout,
                  graceful_timeout_s=graceful_timeout)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--speed", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Time acceleration: simulated seconds per real second (60: a simulated minute per second).")
@click.option("--mqtt-port", type=int, default=None,
              help="Port of the embedded MQTT broker [default: HAUL_EMBEDDED_MQTT_PORT or 1884].")
@click.option("--days", type=click.IntRange(1, 366), default=None,
              help="Play this many demo days, then stop the day loop (the live server keeps serving) [default: until Ctrl-C; 1 with --headless].")
@click.option("--headless", is_flag=True,
              help="No web server: the simulated people call the app in-process, as fast as the pace allows.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="With --headless: write what the run did (days, orders, deliveries, failed steps) as JSON.")
def demo(host: str, port: int, speed: float, mqtt_port: int | None, days: int | None, headless: bool,
         report_path: str | None) -> None:
    """Run Haul on the embedded default with demo data and a live, simulated demo day."""
    if not headless:
        if report_path:
            raise click.UsageError("--report needs --headless")
        from server.demo.launcher import run_demo

        run_demo(host, port, speed, mqtt_port, app_factory=build_app, days=days)
        return
    import json

    from server.demo.headless import run_headless

    report = run_headless(days or 1, speed, mqtt_port, app_factory=build_app, report_path=report_path)
    click.echo(json.dumps(report, indent=1))
    if report["failed_steps"]:
        raise SystemExit(1)


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
