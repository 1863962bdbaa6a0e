"""Running ``deliver_due`` in the background: a thread in the server, or ``haul webhooks deliver``.

``init_app(app)`` (called by ``create_app``) starts the thread on the app's first request,
so CLI commands that never serve start nothing; it never starts under ``TESTING`` (tests
call ``deliver_due`` with their own clock) or with ``HAUL_WEBHOOK_THREAD=0`` (config
``WEBHOOK_THREAD``: when separate ``haul webhooks deliver`` processes do the sending, or for a
short-lived app such as a benchmark's, whose database is gone before the thread would stop). ``publish_event`` calls ``wake()``
so a new delivery goes out at once instead of at the next poll. Several threads or
processes may run at once: claims are atomic.
"""

from __future__ import annotations

import logging
import threading
import time

import click

from server.extensions import db
from server.notify.delivery import deliver_due, purge_old
from server.notify.settings import delivery_settings

log = logging.getLogger("haul.notify.worker")
PURGE_EVERY_S = 3600.0

_lock = threading.Lock()
_worker: DeliveryWorker | None = None


class DeliveryWorker(threading.Thread):
    """Delivers due webhooks every ``poll_s`` seconds (sooner when woken) until ``stop()``."""

    def __init__(self, app, poll_s: float | None = None):
        super().__init__(name="haul-webhooks", daemon=True)
        self.app = app
        self.poll_s = poll_s if poll_s is not None else delivery_settings(app.config).poll_s
        self._wake = threading.Event()
        self._stop_event = threading.Event()
        self._last_purge = 0.0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()

    def run_once(self):
        with self.app.app_context():
            try:
                settings = delivery_settings(self.app.config)
                report = deliver_due(settings=settings)
                if time.monotonic() - self._last_purge >= PURGE_EVERY_S:
                    self._last_purge = time.monotonic()
                    purge_old(keep_days=settings.keep_days)
                return report
            finally:
                db.session.remove()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self._wake.clear()
            try:
                report = self.run_once()
                if report.claimed == delivery_settings(self.app.config).batch:
                    continue  # more may be due: go again without waiting
            except Exception:  # a database hiccup must not end the thread
                log.exception("webhook delivery round failed")
            self._wake.wait(self.poll_s)


def wake() -> None:
    """Ask this process's delivery thread, if any, to look for due deliveries now."""
    worker = _worker
    if worker is not None:
        worker.wake()


def start(app) -> DeliveryWorker:
    """Start this process's delivery thread once; later calls return the running one."""
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = DeliveryWorker(app)
            _worker.start()
        return _worker


def init_app(app) -> None:
    """Start the delivery thread with the first request, unless testing or switched off."""
    if app.config.get("TESTING") or not app.config.get("WEBHOOK_THREAD", True):
        return

    @app.before_request
    def _start_webhook_worker():
        if _worker is None:
            start(app)


@click.group("webhooks")
def webhooks_cli() -> None:
    """Outgoing webhooks."""


@webhooks_cli.command("deliver")
@click.option("--every", "every_s", type=float, default=0.0, show_default=True,
              help="poll every N seconds (0: one round and exit)")
@click.pass_context
def deliver_command(click_ctx: click.Context, every_s: float) -> None:
    """Send the webhook deliveries that are due (a round, or forever with --every)."""
    from flask import Flask

    from server.app import create_app

    # An app passed as the context object (tests) is used as is; otherwise one from the environment.
    app = click_ctx.obj if isinstance(click_ctx.obj, Flask) else create_app()
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
