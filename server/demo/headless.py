"""``haul demo --headless``: the demo days without a web server, as fast as the pace allows, then a report.

The same director and simulated people as the live demo; their calls go through the app in this
process (`transport.InProcessHttp`) and the drivers' phones still publish over MQTT to the
embedded broker and its in-process ingest, so the whole chain (tenders, pickups, slots, GPS,
gate, proofs of delivery, bills) runs for real. The director ticks as often as it can; the
report (`report.Tally`, plus what the database holds of notifications and webhook deliveries)
is returned and, given a path, written as JSON.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask

from server.demo.erp import ErpReceiver
from server.demo.launcher import QUIET_LOGGERS, mqtt_port, name_embedded_broker, scale_ingest
from server.demo.pace import Pace, SimulatedClock
from server.demo.report import write_report

log = logging.getLogger("haul.demo")

HEADLESS_TICK_S = 0.02
HEADLESS_MIN_AUCTION_S = 1.2  # real seconds: long enough for a few ticks of bidding, so auctions rarely expire
FUTURE_TOLERANCE_S = 400 * 24 * 3600
WEBHOOK_DRAIN_S = 10.0  # real seconds the webhook sender gets, after the last day, to empty its queue
BASE_URL = "http://headless.invalid"  # never dialled: calls go through the app in this process


def run_headless(days: int, speed: float, mqtt_port_option: int | None, app_factory: Callable[[], Flask],
                 report_path: str | None = None, timeout_s: float | None = None) -> dict:
    """Play ``days`` demo days in-process; the report. ``timeout_s`` (real seconds) stops a stuck run."""
    from server import clock
    from server.broker.embedded import port_is_free, start_embedded_ingest
    from server.db.migrate import upgrade_to_head
    from server.demo.director import Director
    from server.demo.transport import in_process
    from server.seed import seed_demo

    simulated = SimulatedClock(speed)
    pace = Pace(speed, min_auction_real_s=HEADLESS_MIN_AUCTION_S, now=simulated)
    broker_port = mqtt_port(mqtt_port_option)
    os.environ.setdefault("HAUL_INSTANCE_DIR", os.path.abspath("instance"))
    # Fixes carry the simulated time, which runs ahead of the real one: trucks drive at real speeds in
    # it, dwell the real minutes, and a fix is "from the future" only beyond the whole run.
    os.environ.setdefault("HAUL_GPS_DWELL_MINUTES", "10")
    os.environ.setdefault("HAUL_GPS_MAX_SPEED_KMH", "250")
    os.environ.setdefault("HAUL_GPS_FUTURE_TOLERANCE_S", str(FUTURE_TOLERANCE_S))
    erp = ErpReceiver()  # the seller's ERP on loopback, which the operator allows webhooks to reach
    allowed = os.environ.get("HAUL_WEBHOOK_ALLOW_HOSTS", "")
    if erp.host not in allowed.split(","):
        os.environ["HAUL_WEBHOOK_ALLOW_HOSTS"] = ",".join(filter(None, [allowed, erp.host]))
    scale_ingest(pace)
    name_embedded_broker(broker_port)
    if not port_is_free("127.0.0.1", broker_port):
        raise click.ClickException(f"port {broker_port} is taken, so the embedded MQTT broker cannot start there")
    app = app_factory()
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    with app.app_context():
        upgrade_to_head()
        seed_demo(progress=False)
    ingest = start_embedded_ingest(app, host="127.0.0.1", port=broker_port)
    started, real_clock = time.monotonic(), clock.now
    clock.now = simulated  # the server's one clock runs the simulated day, as tests move it
    director = Director(BASE_URL, pace, Path(app.instance_path) / "demo", app.config["MQTT_URL"],
                        http=in_process(app), tick_s=HEADLESS_TICK_S, days=days, erp_webhook_url=erp.url)
    try:
        if timeout_s is None:
            director.run()
        else:
            director.start()
            director.wait(timeout_s)
        _wait_for_deliveries(app, WEBHOOK_DRAIN_S)
    finally:
        director.stop()
        clock.now = real_clock
        erp.stop()
        try:
            ingest.stop()
        except Exception:  # a broker that will not stop must not hide the report
            log.exception("demo: the embedded broker did not stop cleanly")
    report = director.tally.as_dict(real_seconds=round(time.monotonic() - started, 1), speed=speed,
                                    **_counted(app), webhooks_received_by_erp=erp.received)
    if report_path:
        write_report(report_path, report)
    return report


def _wait_for_deliveries(app: Flask, timeout_s: float) -> None:
    """Give the in-process webhook sender a little time to send what the last day queued."""
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import WebhookDelivery

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with app.app_context():
            pending = db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                                        .where(WebhookDelivery.status.in_(("pending", "sending"))))
        if not pending:
            return
        time.sleep(0.2)


def _counted(app: Flask) -> dict:
    """What the notification layer holds after the run: in-app notifications and webhook deliveries."""
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import Notification, WebhookDelivery

    with app.app_context():
        return {"notifications": db.session.scalar(select(func.count()).select_from(Notification)),
                "webhook_deliveries": db.session.scalar(select(func.count()).select_from(WebhookDelivery))}
