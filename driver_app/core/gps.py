"""GPS providers: the ``GpsProvider`` interface.

A provider calls ``callback(fix)`` for every reading until ``stop()``. Callbacks may come on
any thread (plyer calls from the Java side); consumers must be thread-safe. The simulated
provider for desktop and tests is in ``simulated_gps.py``; the phone's own, built on plyer,
is ``driver_app.platform_services.android_gps``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from driver_app.core.positions import Fix

FixCallback = Callable[[Fix], None]


class GpsProvider(Protocol):
    def start(self, callback: FixCallback) -> None:
        """Begin delivering fixes to ``callback``."""
        ...

    def stop(self) -> None:
        """Stop delivering fixes; safe to call when not started."""
        ...
