"""How a new delivery wakes this process's delivery thread without the publisher knowing the thread.

``publish_event`` calls ``wake()`` after queueing deliveries; the delivery worker, when it starts,
installs itself with ``on_wake``. Kept apart so publishing never imports the worker (which imports
the delivery step, which publishes ``webhook_disabled``).
"""

from __future__ import annotations

from collections.abc import Callable

_waker: Callable[[], None] | None = None


def on_wake(waker: Callable[[], None] | None) -> None:
    """Install (or with None, remove) what ``wake`` calls."""
    global _waker
    _waker = waker


def wake() -> None:
    """Ask this process's delivery thread, if any, to look for due deliveries now."""
    waker = _waker
    if waker is not None:
        waker()
