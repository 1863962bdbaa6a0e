"""A background sender: items go out in order from one thread, and the caller never waits.

Board updates are best effort (a failed emit is logged, never retried), so when the queue is
full an item is dropped and counted rather than making a request wait for the broker.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger("haul.market.fanout")


class Fanout:
    def __init__(self, send: Callable[[object], None], limit: int = 10_000):
        self._send = send
        self._queue: queue.Queue = queue.Queue(limit)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = None
        self.dropped = 0

    def submit(self, item: object) -> bool:
        """Queue ``item``; False (and counted in ``dropped``) when the queue is full."""
        self._ensure_thread()
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            self.dropped += 1
            log.warning("fan-out queue full; dropped a board update (%s dropped so far)", self.dropped)
            return False

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far went out; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def _ensure_thread(self) -> None:
        # Started on first use in each process: a thread does not survive a fork (gunicorn workers).
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="haul-market-fanout", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                self._send(item)
            except Exception:  # the sender must outlive any one bad item
                log.exception("fan-out send failed")
            finally:
                self._queue.task_done()
