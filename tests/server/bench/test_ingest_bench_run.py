"""A small ``haul bench ingest`` run end to end on the real Mosquitto, PostGIS, Redis and gunicorn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HAUL = str(Path(sys.executable).with_name("haul"))


def test_a_small_run_stores_every_position_once_and_reaches_the_dashboard_clients(tmp_path):
    """Two workers, two Socket.IO servers, four clients: nothing lost or doubled, clients get fixes live.

    The publishers start only once both workers' subscriptions are acknowledged: before that the
    broker would drop the first messages as unrouted (which a fixed start-up sleep did on a busy machine).
    """
    out = tmp_path / "ingest.json"
    run = subprocess.run([HAUL, "bench", "ingest", "--vehicles", "20", "--rate", "2", "--duration", "3",
                          "--workers", "2", "--clients", "4", "--follow", "2", "--json", str(out)],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["published_positions"] == report["stored_positions"] == 120
    assert (report["lost"], report["duplicate_rows"], report["unrouted_pubacks"], report["refused"]) == (0, 0, 0, 0)
    assert report["clients_joined"] == 4 and report["clients_failed"] == 0
    assert report["publish_to_client"]["samples"] > 0 and report["publish_to_client"]["p50_ms"] > 0
