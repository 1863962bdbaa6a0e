"""Network calls off the UI thread, results back on it.

``KivyRunner.run(fn, on_ok, on_error)`` calls ``fn()`` on a worker thread and then
``on_ok(result)`` or ``on_error(exception)`` on Kivy's main thread (``Clock.schedule_once``),
so the screen never freezes during a slow call and widgets are only touched from the thread
that owns them. One worker serialises the app's calls: ``requests.Session`` and the order of
the driver's actions both want that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kivy.clock import Clock

log = logging.getLogger(__name__)


def on_ui_thread(func: Callable[..., Any]) -> Callable[..., None]:
    """Wrap ``func`` so that calling it from any thread runs it on the UI thread."""

    def hop(*args: Any, **kwargs: Any) -> None:
        Clock.schedule_once(lambda _dt: func(*args, **kwargs), 0)

    return hop


class KivyRunner:
    """Runs callables on one background thread and reports back on the Kivy thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="haul-net")
        self.pending = 0  # calls started and not yet reported (tests wait on this)

    def run(
        self,
        fn: Callable[[], Any],
        on_ok: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.pending += 1

        def work() -> None:
            try:
                result = fn()
            except Exception as exc:  # every failure goes to the screen, never up the thread
                if on_error is None:
                    log.exception("background call failed")
                self._report(on_error, exc)
            else:
                self._report(on_ok, result)

        self._pool.submit(work)

    def _report(self, callback: Callable[[Any], None] | None, value: Any) -> None:
        def deliver(_dt: float) -> None:
            self.pending -= 1
            if callback is not None:
                callback(value)

        Clock.schedule_once(deliver, 0)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
