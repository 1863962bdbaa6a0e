"""driver_app.core never imports Kivy (nor plyer, pyjnius or android, which exist only on Android)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import driver_app.core

ROOT = Path(__file__).resolve().parents[3]


def test_importing_every_core_module_loads_neither_kivy_nor_android_modules():
    """A fresh interpreter importing all of driver_app.core has no kivy, plyer, jnius or android module loaded."""
    modules = [f"driver_app.core.{m.name}" for m in pkgutil.iter_modules(driver_app.core.__path__)]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('kivy', 'plyer', 'jnius', 'android'))\n"
        "print(len(sys.modules)); assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert len(modules) >= 15
    assert result.returncode == 0, result.stderr
