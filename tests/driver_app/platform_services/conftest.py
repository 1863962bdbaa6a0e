"""Fixtures for the platform services: a stand-in plyer whose facades record their calls."""

from __future__ import annotations

import sys
import types

import pytest


class Recorder:
    """Records every method call as ``(name, args, kwargs)``."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))

        return record


@pytest.fixture
def fake_plyer(monkeypatch):
    """A stand-in ``plyer`` module whose facades record their calls."""
    module = types.ModuleType("plyer")
    for name in ("gps", "camera", "notification", "vibrator"):
        setattr(module, name, Recorder())
    module.battery = types.SimpleNamespace(status={"percentage": 57.0, "isCharging": False})
    monkeypatch.setitem(sys.modules, "plyer", module)
    return module
