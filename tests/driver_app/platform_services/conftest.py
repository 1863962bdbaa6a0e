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


class FakeIntent:
    """``android.content.Intent``: an action, its data and its extras."""

    ACTION_VIEW = "android.intent.action.VIEW"

    def __init__(self, action, data=None):
        self.action, self.data, self.extras = action, data, {}

    def putExtra(self, key, value):
        self.extras[key] = value

    def getStringExtra(self, key):
        return self.extras.get(key)


class FakeActivityEvents:
    """python-for-android's ``android.activity``: binds ``on_activity_result`` callbacks."""

    def __init__(self):
        self.bound = []

    def bind(self, on_activity_result):
        self.bound.append(on_activity_result)

    def unbind(self, on_activity_result):
        self.bound.remove(on_activity_result)


@pytest.fixture
def fake_android(monkeypatch):
    """Stand-ins for ``jnius`` and python-for-android's ``android`` module; ``started`` lists the
    activities the app started as ``(intent, request_code)`` (None for startActivity),
    ``permissions_asked`` the runtime permissions requested."""
    started = []
    main_activity = types.SimpleNamespace(
        startActivityForResult=lambda intent, code: started.append((intent, code)),
        startActivity=lambda intent: started.append((intent, None)),
    )
    classes = {
        "android.content.Intent": FakeIntent,
        "org.kivy.android.PythonActivity": types.SimpleNamespace(mActivity=main_activity),
        "android.net.Uri": types.SimpleNamespace(parse=lambda text: ("Uri", text)),
    }
    jnius = types.ModuleType("jnius")
    jnius.autoclass = classes.__getitem__
    granted = []
    android = types.ModuleType("android")
    android.activity = FakeActivityEvents()
    android.permissions = types.ModuleType("android.permissions")
    android.permissions.request_permissions = granted.extend
    monkeypatch.setitem(sys.modules, "jnius", jnius)
    monkeypatch.setitem(sys.modules, "android", android)
    monkeypatch.setitem(sys.modules, "android.permissions", android.permissions)
    return types.SimpleNamespace(started=started, activity=android.activity, main_activity=main_activity,
                                 Intent=FakeIntent, permissions_asked=granted)
