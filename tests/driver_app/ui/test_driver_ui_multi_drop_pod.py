"""Issue 18 in a real window: a multi-drop load is signed stop by stop, then shown delivered."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.timeout(300)


def test_the_driver_signs_two_stops_and_the_load_is_delivered(run_scenario, ui_artifacts):
    """Before, the app posted the whole-load proof the server refuses (409 ``sign_per_stop``)."""
    run_scenario("multi_drop_pod")

    summary = json.loads((ui_artifacts / "summary-multi-drop-pod.json").read_text())
    seen = summary["seen"]
    assert seen["first"] == "Stop 1 of 2: BauStoff Handel Köln (BauStoff Handel)"
    assert seen["second"] == "Stop 2 of 2: Bonn yard (Rhein Bau Bonn)"
    assert seen["progress_before"] == "0 of 2 stops signed" and seen["progress_between"] == "1 of 2 stops signed"
    assert seen["confirm"] == "Confirm delivery at this stop"
    assert seen["second_zh"] == "第 2 站（共 2 站）：Bonn yard (Rhein Bau Bonn)"
    assert seen["progress_zh"] == "已签收 1 站，共 2 站"
    for shot in ("pod-stop-1", "pod-stop-2", "pod-stops-delivered"):
        for lang in ("en", "zh"):
            assert (ui_artifacts / f"driver-{shot}-{lang}.png").stat().st_size > 5000
    assert summary["gl"]["window"] == "WindowSDL"
