"""The driver app in a real window against a real, seeded ``haul serve``."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.timeout(300)


def test_real_server_bad_input_sign_in_and_missing_features(haul_server, run_scenario, ui_artifacts):
    """Wrong addresses and credentials show clear messages; sign-in works; absent features say so."""
    run_scenario("real_server", haul_server)

    summary = json.loads((ui_artifacts / "summary-real-server.json").read_text())
    seen = summary["seen"]
    assert "Cannot reach the server" in seen["refused"]
    assert "No Haul server" in seen["not_haul"]
    assert "Sign-in failed" in seen["wrong_password"]
    assert seen["today"].endswith("loads") or seen["today"] == "not available"
    assert {"driver-real-today-en.png", "driver-real-today-zh.png"} <= set(summary["screenshots"])
    # A real GL context in a real window: never Kivy's mock backend, whose tests skip silently.
    assert summary["gl"]["window"] == "WindowSDL" and summary["gl"]["gl_backend"] != "mock"
    assert "llvmpipe" in summary["gl"]["renderer"] or "Mesa" in summary["gl"]["version"]
