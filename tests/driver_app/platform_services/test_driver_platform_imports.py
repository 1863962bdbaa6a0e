"""driver_app.platform_services loads nothing Android-only (nor Kivy) until a service is used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ANDROID_ONLY = ("kivy", "jnius", "android", "plyer")


def test_the_android_set_is_chosen_and_built_on_a_desktop_without_android_modules(tmp_path):
    """With ANDROID_ARGUMENT set, a fresh interpreter imports every module, gets AndroidServices and
    builds its GPS and links, and has no kivy, jnius, android or plyer module loaded."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import driver_app.platform_services as ps\n"
        "for m in pkgutil.iter_modules(ps.__path__): importlib.import_module(f'{ps.__name__}.{m.name}')\n"
        f"services = ps.platform_services({str(tmp_path)!r})\n"
        "assert type(services).__name__ == 'AndroidServices', services\n"
        "services.gps(5.0, 10.0)\n"
        "assert services.navigation_link({'lat': 51.28, 'lon': 7.04, 'name': 'Werk'}).startswith('geo:')\n"
        "assert services.scanner.available\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {ANDROID_ONLY!r})\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "ANDROID_ARGUMENT": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)

    assert result.returncode == 0, result.stderr
