"""Issue 17 in the Kivy app: the slot on the plant's clock with its zone, the queue position, a moved
slot as a notice, and the dock call arriving over MQTT from a real ``haul serve`` through a real
Mosquitto (the app's gate poll is switched off, so only the inbox can bring it)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_driver_ui_real_server_day import seed_load

from server.demo.api import ApiSession

pytestmark = pytest.mark.timeout(420)
PLANT_ZONE = ZoneInfo("Europe/Berlin")  # the demo plant's zone (server/seed.py)
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture
def mosquitto_url(tmp_path):
    """A private, anonymous Mosquitto on a free port (never the shared one on 1883)."""
    if shutil.which("mosquitto") is None:
        pytest.skip("mosquitto is not installed")
    port = _free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    log = open(tmp_path / "mosquitto.log", "wb")
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while not _accepts(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("mosquitto did not start: " + (tmp_path / "mosquitto.log").read_text())
        time.sleep(0.05)
    yield f"mqtt://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def server_with_inbox(tmp_path, mosquitto_url, serve_haul):
    """``haul serve`` (SQLite, demo data) whose driver inbox publishes to ``mosquitto_url``."""
    with serve_haul(tmp_path / "instance", MQTT_URL=mosquitto_url) as url:
        yield url, mosquitto_url


def _plant_clock(moment: datetime) -> str:
    local = moment.astimezone(PLANT_ZONE)
    return f"{local:%H:%M} {local.tzname()}"


def test_the_driver_sees_the_slot_in_plant_time_the_queue_and_the_dock_call_over_mqtt(
        server_with_inbox, run_scenario, ui_artifacts):
    server, mqtt_url = server_with_inbox
    seeded = seed_load(server)
    start = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 5)
    moved = start + timedelta(minutes=35)
    manager = ApiSession(server, seeded["manager_email"], seeded["password"]).sign_in()
    manager.post(f"/api/v1/loads/{seeded['load_id']}/appointment",
                 {"dock_id": seeded["dock_id"], "start": start.isoformat()})
    seeded["moved_start"] = moved.isoformat()

    run_scenario("slot_and_dock_call", server, mqtt_url, json.dumps(seeded))

    summary = json.loads((ui_artifacts / "summary-slot-and-dock-call.json").read_text())
    seen = summary["seen"]
    assert seen["today"]["dock"] == f"{seeded['dock_name']}, {_plant_clock(start)}"
    assert seen["today"]["pickup"].endswith(("CET", "CEST")) and "#" not in seen["today"]["where"]
    assert seen["notice"] == f"Your dock slot moved: {seeded['dock_name']}, {_plant_clock(moved)}"
    assert seen["notice_bar"] == seen["notice"]
    assert seen["kept"][0] == [seen["notice"], "Europe/Berlin"] and seen["badge"].startswith("Messages (")
    assert seen["load_slot"] == f"{seeded['dock_name']}, {_plant_clock(moved)}"
    assert seen["qr_caption"].startswith("Pickup at ") and _plant_clock(moved) in seen["qr_caption"]
    pickup, delivery = seen["stops"]
    assert pickup["name"] and not pickup["name"].startswith("#") and pickup["link"].startswith("https://")
    assert delivery["name"] and delivery["link"]
    assert seen["queue_text"] == "At the gate: number 1 in the queue"
    assert seen["gate_slot"] == f"Dock slot: {seeded['dock_name']}, {_plant_clock(moved)}"
    assert seen["called_text"] == f"Go to {seeded['dock_name']}" and seen["alerts"] == 1
    assert summary["gl"]["window"] == "WindowSDL" and summary["gl"]["gl_backend"] != "mock"
    for lang in ("en", "zh"):
        assert (ROOT / "docs" / "img" / f"driver-app-slot-{lang}.png").stat().st_size > 10_000
