"""The driver app's screens: one .kv file and one thin Python class each, loaded on first use.

``load_screen(name)`` reads the screen's .kv rules (and the shared ``widgets.kv`` once) and
builds the screen, so starting the app costs only the sign-in screen.
"""

from __future__ import annotations

import importlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (module, class); the .kv file has the module's name.
SCREENS: dict[str, tuple[str, str]] = {
    "signin": ("signin", "SignInScreen"),
    "today": ("today", "TodayScreen"),
    "load": ("load", "LoadScreen"),
    "board": ("board", "BoardScreen"),
    "gate": ("gate", "GateScreen"),
    "evidence": ("evidence", "EvidenceScreen"),
    "pod": ("pod", "PodScreen"),
    "settings": ("settings", "SettingsScreen"),
    "messages": ("messages", "MessagesScreen"),
}

_loaded: set[str] = set()


def _load_kv(module: str) -> None:
    from kivy.lang import Builder

    if module not in _loaded:
        Builder.load_file(str(HERE / f"{module}.kv"))
        _loaded.add(module)


def load_screen(name: str):
    """A new instance of screen ``name`` with its kv rules loaded."""
    importlib.import_module("driver_app.screens.widgets")
    _load_kv("widgets")
    module_name, class_name = SCREENS[name]
    module = importlib.import_module(f"driver_app.screens.{module_name}")
    _load_kv(module_name)
    return getattr(module, class_name)(name=name)
