"""``haul bench faults`` end to end at a small size: its own PostgreSQL cluster, RabbitMQ, Haul
server and workers; PostgreSQL restarted as the phones start (their vehicles not yet known to the
workers), then the broker killed under
MQTT 3.1.1 phones: every acknowledged fix stored, none twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HAUL = str(Path(sys.executable).with_name("haul"))

pytestmark = [pytest.mark.broker, pytest.mark.slow]


@pytest.mark.timeout(600)
def test_the_fault_harness_reports_nothing_lost_or_doubled(tmp_path):
    """Two scenarios with four phones: published > 0, lost 0, duplicates 0, and a recovery time for each."""
    out = tmp_path / "faults.json"
    run = subprocess.run([HAUL, "bench", "faults", "--vehicles", "4", "--rate", "4", "--scenarios",
                          "database_restart,mqtt311_client", "--before", "2", "--after", "3", "--gap", "1",
                          "--json", str(out)], capture_output=True, text=True, timeout=540)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert set(report["scenarios"]) == {"database_restart", "mqtt311_client"}
    for name, result in report["scenarios"].items():
        assert result["published"] > 0 and result["stored"] == result["published"], (name, result)
        assert (result["lost"], result["duplicates"]) == (0, 0), (name, result)
        assert result["recovery_s"] is not None, (name, result)
