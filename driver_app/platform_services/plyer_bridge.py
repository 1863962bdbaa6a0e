"""Lazy access to plyer, which exists only in the Android build of the app.

Nothing imports plyer at module import time, so the app imports, runs and is tested on
machines without it; an Android service used where plyer is missing raises a clear
``PlatformServiceUnavailable``.
"""

from __future__ import annotations

import importlib
from typing import Any


class PlatformServiceUnavailable(RuntimeError):
    """The Android service (plyer) is not available on this device or build."""


def import_plyer(name: str) -> Any:
    """Return the ``plyer.<name>`` facade (e.g. ``gps``, ``camera``), importing plyer now."""
    try:
        module = importlib.import_module("plyer")
        return getattr(module, name)
    except (ImportError, AttributeError, NotImplementedError) as exc:
        raise PlatformServiceUnavailable(f"plyer.{name} is not available: {exc}") from exc
