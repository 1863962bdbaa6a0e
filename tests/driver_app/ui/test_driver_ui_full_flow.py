"""The driver's whole day in a real window, against the stub API shaped like the server's."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.timeout(300)

SCREENS = ("signin", "today", "load", "board", "gate-queue", "gate-called", "evidence", "pod", "pod-delivered",
           "settings")


def test_full_day_from_sign_in_to_proof_of_delivery(run_scenario, ui_artifacts):
    """Sign in, today, load, gate, dock call, evidence, POD and board all work with touches in both languages."""
    run_scenario("full_flow")

    summary = json.loads((ui_artifacts / "summary-full-flow.json").read_text())
    shots = set(summary["screenshots"])
    for screen in SCREENS:
        for lang in ("en", "zh"):
            assert f"driver-{screen}-{lang}.png" in shots
            assert (ui_artifacts / f"driver-{screen}-{lang}.png").stat().st_size > 5000
    assert summary["gl"]["window"] == "WindowSDL" and summary["gl"]["size"] == [480, 860]
