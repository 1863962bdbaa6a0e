"""The ``haul demo`` process: database, embedded broker and ingest, the server, and the demo day.

Order of start: migrate and seed the embedded database; start amqtt on its own port (1884 by
default, so a Mosquitto on 1883 is left alone) with one in-process ingest worker; serve the app
(the same threaded Werkzeug server ``socketio.run`` starts in threading mode); start the director
thread, which waits until the server answers; print where to look and who to sign in as.

Ctrl-C (or SIGTERM) stops it all cleanly: the phones switch off, the ingest worker drains, the
broker and the server shut down, and the process exits with 0. The stop signals are blocked in
every thread and taken with ``sigwait`` by the main thread, because OR-Tools' CP-SAT (the dock
scheduler) resets SIGINT to its default after each solve, which would kill the process on the
spot instead of raising KeyboardInterrupt.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask

from server.demo.pace import Pace

log = logging.getLogger("haul.demo")

DEFAULT_MQTT_PORT = 1884
MQTT_PORT_VARIABLE = "HAUL_EMBEDDED_MQTT_PORT"
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
DASHBOARDS = {"seller": "/seller", "buyer": "/buyer", "carrier": "/carrier", "platform": "/admin"}
# One line per HTTP request or MQTT packet would bury the story of the day. amqtt also warns
# about the ingest's MQTT 5 probe, which it answers with "3.1.1 only" as expected.
QUIET_LOGGERS = {"werkzeug": logging.WARNING, "engineio": logging.WARNING, "socketio": logging.WARNING,
                 "transitions": logging.WARNING, "amqtt": logging.ERROR}


def mqtt_port(option: int | None) -> int:
    """The embedded broker's port: ``--mqtt-port``, else HAUL_EMBEDDED_MQTT_PORT, else 1884."""
    if option is not None:
        return option
    raw = os.environ.get(MQTT_PORT_VARIABLE, str(DEFAULT_MQTT_PORT))
    try:
        return int(raw)
    except ValueError:
        raise click.UsageError(f"{MQTT_PORT_VARIABLE} must be a port number (got {raw!r})") from None


def scale_ingest(pace: Pace, env=None) -> None:
    """Let the ingest accept trucks that drive ``speed`` times faster (unless set by hand in ``env``).

    The plausibility filter drops fixes faster than 250 km/h; demo trucks really do cover
    that much ground per real second. Dwell detection is scaled the same way.
    """
    env = os.environ if env is None else env
    env.setdefault("HAUL_GPS_MAX_SPEED_KMH", f"{250 * pace.speed:g}")
    env.setdefault("HAUL_GPS_DWELL_MINUTES", f"{10 / pace.speed:g}")


def name_embedded_broker(port: int, env=None) -> None:
    """Let a phone paired with the demo publish to the embedded broker (unless set by hand in ``env``).

    The broker listens on loopback only, so this reaches a driver app on the same machine
    (``haul driver``); amqtt speaks MQTT 3.1.1, not 5, and the pairing answer says so.
    """
    env = os.environ if env is None else env
    env.setdefault("HAUL_DEVICE_MQTT_URL", f"mqtt://127.0.0.1:{port}")
    env.setdefault("HAUL_DEVICE_MQTT_PROTOCOL", "3.1.1")


def banner(base: str, logins: list[tuple[str, str, str]], pace: Pace, broker_url: str) -> str:
    from server.seed import DEMO_PASSWORD

    lines = ["", f"Haul demo day at {base}/  ({pace.describe()})",
             f"Sign in at {base}/login with any of these logins (password {DEMO_PASSWORD}):"]
    for kind, org, email in logins:
        where = f"{base}{DASHBOARDS[kind]}" if kind in DASHBOARDS else f"driver app: haul driver --server {base}"
        lines.append(f"  {kind:<8} {email:<42} {org:<24} {where}")
    lines += [f"API docs: {base}/api/docs    embedded MQTT broker: {broker_url}",
              "Trucks start moving on the dashboards' maps within half a minute. Ctrl-C stops the demo.", ""]
    return "\n".join(lines)


def run_demo(host: str, port: int, speed: float, mqtt_port_option: int | None,
             app_factory: Callable[[], Flask], days: int | None = None) -> None:
    """Everything ``haul demo`` does; returns when the server stopped (Ctrl-C). ``app_factory`` builds
    the app once the demo's environment is set (the command layer passes ``create_app``)."""
    from server.broker.embedded import port_is_free
    from server.db.migrate import upgrade_to_head
    from server.seed import seed_demo

    pace = Pace(speed)
    broker_port = mqtt_port(mqtt_port_option)
    os.environ.setdefault("HAUL_INSTANCE_DIR", os.path.abspath("instance"))
    scale_ingest(pace)
    name_embedded_broker(broker_port)
    if not port_is_free("127.0.0.1", broker_port):
        raise click.ClickException(f"port {broker_port} is taken, so the embedded MQTT broker cannot start there; "
                                   f"choose another with --mqtt-port or {MQTT_PORT_VARIABLE}")
    app = app_factory()
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    with app.app_context():
        click.echo("migrating the embedded database ...")
        upgrade_to_head()
        summary = seed_demo(progress=True)
    click.echo(summary.describe().splitlines()[0])
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # before any thread starts: they inherit it
    try:
        serve_until_stopped(app, host, port, pace, broker_port, summary.logins, days)
    finally:
        pending = signal.sigpending() & STOP_SIGNALS
        if pending:  # pressed again while stopping: it is stopped now, so take that press too
            signal.sigwait(pending)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def serve_until_stopped(app, host: str, port: int, pace: Pace, broker_port: int, logins,
                        days: int | None = None) -> None:
    from werkzeug.serving import make_server

    from server.broker.embedded import start_embedded_ingest
    from server.demo.director import Director
    from server.server_errors import ProblemRequestHandler

    ingest = start_embedded_ingest(app, host="127.0.0.1", port=broker_port)
    director = None
    try:
        server = make_server(host, port, app, threaded=True, request_handler=ProblemRequestHandler)
    except OSError as exc:
        ingest.stop()
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc}") from exc
    try:
        threading.Thread(target=server.serve_forever, name="haul-demo-http", daemon=True).start()
        local = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
        base = f"http://{local}:{port}"
        director = Director(base, pace, Path(app.instance_path) / "demo", app.config["MQTT_URL"], days=days).start()
        click.echo(banner(base, logins, pace, app.config["MQTT_URL"]))
        signal.sigwait(STOP_SIGNALS)
    finally:
        click.echo("stopping the demo: switching the phones off, draining the ingest, stopping the broker ...")
        if director is not None:
            director.stop()
        server.shutdown()
        try:
            ingest.stop()
        except Exception:  # a broker that will not stop must not hide the clean exit
            log.exception("demo: the embedded broker did not stop cleanly")
        click.echo("demo stopped.")
