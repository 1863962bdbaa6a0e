"""``haul demo --headless``: the demo days without a web server, checked through the report it writes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_headless_demo_keeps_delivering_after_its_first_day(tmp_path):
    """Two headless days at 3600x: no failed step, and the second day delivers too (issue 18, defect 1)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MQTT_URL", "REDIS_URL")}
    env.update(HAUL_INSTANCE_DIR=str(tmp_path / "instance"), HAUL_EMBEDDED_MQTT_PORT=str(_free_port()))
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-c", "from server.cli import main; main()", "demo", "--headless",
                           "--days", "2", "--speed", "3600", "--report", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert out.exists(), done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["failed_steps"] == 0, report["first_errors"]
    assert done.returncode == 0
    assert report["days"] == 2 and report["orders"] == 8
    assert report["delivered_per_day"][1] > 0 and report["loads_delivered"] == report["loads"]
    assert report["notifications"] > 0 and report["webhook_deliveries"] > 0
    assert report["webhooks_received_by_erp"] > 0  # the seller's ERP on loopback got Haul's signed webhooks


def test_a_report_without_headless_is_refused(tmp_path):
    """--report belongs to a headless run; asking for it on the live demo is a usage error."""
    from click.testing import CliRunner

    from server.cli import main

    done = CliRunner().invoke(main, ["demo", "--report", str(tmp_path / "r.json")])
    assert done.exit_code == 2 and "--report needs --headless" in done.output
