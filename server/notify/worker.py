"""Running ``deliver_due`` (and the e-mail outbox, ``email_sender.run_round``) in the background: a thread in the server, or ``haul webhooks deliver``.

``init_app(app)`` (called by ``create_app``) starts the thread on the app's first request,
so CLI commands that never serve start nothing; it never starts under ``TESTING`` (tests
call ``deliver_due`` with their own clock) or with ``HAUL_WEBHOOK_THREAD=0`` (config
``WEBHOOK_THREAD``: when separate ``haul webhooks deliver`` processes do the sending, or for a
short-lived app such as a benchmark's, whose database is gone before the thread would stop).
``publish_event`` calls ``wakeup.wake()``, which the started thread answers, so a new delivery
goes out at once instead of at the next poll. Several threads or processes may run at once:
claims are atomic.
"""

from __future__ import annotations

import logging
import threading
import time

from server.extensions import db
from server.notify import wakeup
from server.notify.delivery import deliver_due, purge_old
from server.notify.email_sender import purge_old as purge_old_emails
from server.notify.email_sender import run_round as send_emails
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
                try:
                    send_emails()  # the e-mail outbox rides on the same thread and wake-ups
                except Exception:
                    log.exception("e-mail round failed")
                    db.session.rollback()
                if time.monotonic() - self._last_purge >= PURGE_EVERY_S:
                    self._last_purge = time.monotonic()
                    purge_old(keep_days=settings.keep_days)
                    purge_old_emails(keep_days=settings.keep_days)
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


def start(app) -> DeliveryWorker:
    """Start this process's delivery thread once; later calls return the running one."""
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = DeliveryWorker(app)
            _worker.start()
            wakeup.on_wake(_worker.wake)
        return _worker


def init_app(app) -> None:
    """Check the delivery settings now (a bad allowance stops the start, not the first delivery), and
    start the delivery thread with the first request, unless testing or switched off."""
    delivery_settings(app.config)
    if app.config.get("TESTING") or not app.config.get("WEBHOOK_THREAD", True):
        return

    @app.before_request
    def _start_webhook_worker():
        if _worker is None:
            start(app)
