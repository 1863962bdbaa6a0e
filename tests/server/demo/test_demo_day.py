"""Smoke tests of ``haul demo``: the real command as a subprocess, checked only through its public API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

PASSWORD = "haul-demo-2026"
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    """A running ``haul demo --speed 600`` on free ports with its own instance folder."""

    def __init__(self, instance: Path, log: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MQTT_URL", "REDIS_URL")}
        env.update(HAUL_INSTANCE_DIR=str(instance), HAUL_EMBEDDED_MQTT_PORT=str(_free_port()))
        self.log_path = log
        self._log = log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from server.cli import main; main()", "demo", "--speed", "600",
             "--port", str(self.port)], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            try:
                if requests.get(self.base + "/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError("the demo never answered /healthz")

    def session(self, email: str) -> requests.Session:
        answer = requests.post(self.base + "/api/v1/auth/token", json={"email": email, "password": PASSWORD},
                               timeout=10)
        assert answer.status_code == 201, answer.text
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        return http

    def interrupt(self, timeout_s: float = 60) -> int:
        """Ctrl-C, as a user would press it; the exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout_s)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


@pytest.fixture
def start_demo(tmp_path):
    started = []

    def start() -> Demo:
        demo = Demo(tmp_path / "instance", tmp_path / "demo.log")
        started.append(demo)
        demo.wait_healthy()
        return demo

    yield start
    for demo in started:
        demo.kill()


def _eventually(check, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(1.0)
    raise AssertionError(f"within {timeout_s:.0f} s: {what}")


def _position(buyer: requests.Session, base: str, load_id: int, tokens: dict) -> dict | None:
    if load_id not in tokens:
        link = buyer.post(f"{base}/api/v1/loads/{load_id}/tracking-links", json={"ttl_hours": 1}, timeout=10)
        assert link.status_code == 201, link.text
        tokens[load_id] = link.json()["token"]
    snapshot = requests.get(f"{base}/api/v1/track/{tokens[load_id]}", timeout=10).json()
    return snapshot.get("position")


def test_demo_day_moves_trucks_and_stops_cleanly(start_demo):
    """The demo builds and awards loads, its trucks' stored positions move, and Ctrl-C exits with 0."""
    demo = start_demo()
    buyer = demo.session("buyer@baustoff.demo")

    def awarded_loads():
        loads = buyer.get(f"{demo.base}/api/v1/loads", timeout=10).json()["items"]
        return [load for load in loads if load["carrier_id"] is not None and load["vehicle_id"] is not None]

    loads = _eventually(awarded_loads, 60, "the buyer sees an awarded load with a truck")
    tokens: dict[int, str] = {}
    first: dict[int, dict] = {}

    def moved():
        for load in awarded_loads():
            position = _position(buyer, demo.base, load["id"], tokens)
            if position is None:
                continue
            before = first.setdefault(load["id"], position)
            if (position["lat"], position["lon"]) != (before["lat"], before["lon"]):
                return before, position
        return None

    before, after = _eventually(moved, 60, "a truck's stored position changes")
    assert loads and after["time"] > before["time"]
    assert demo.interrupt() == 0
    assert "demo stopped." in demo.log_path.read_text()


def test_second_start_resumes_the_day_without_duplicates(start_demo):
    """Restarting the demo on the same database resumes the day: no second set of orders or loads."""
    demo = start_demo()
    seller = demo.session("dispatch@rheinkalk.demo")

    def day_loads():
        orders = seller.get(f"{demo.base}/api/v1/orders", params={"limit": 200}, timeout=10).json()["items"]
        loads = seller.get(f"{demo.base}/api/v1/loads", params={"limit": 200}, timeout=10).json()["items"]
        ours = [o for o in orders if o["reference"].startswith("DEMO001-")]
        return (ours, loads) if len(ours) == 4 and loads else None

    orders_before, loads_before = _eventually(day_loads, 60, "day 1's orders and loads exist")
    assert demo.interrupt() == 0

    again = start_demo()
    seller = again.session("dispatch@rheinkalk.demo")
    _eventually(lambda: "resuming day 1" in again.log_path.read_text(), 60, "the second start resumes day 1")
    time.sleep(3)  # a few ticks of the resumed day
    orders = seller.get(f"{again.base}/api/v1/orders", params={"limit": 200}, timeout=10).json()["items"]
    day_one = sorted(o["id"] for o in orders if o["reference"].startswith("DEMO001-"))
    assert day_one == sorted(o["id"] for o in orders_before)
    loads = seller.get(f"{again.base}/api/v1/loads", params={"limit": 200}, timeout=10).json()["items"]
    assert sorted(load["id"] for load in loads) == sorted(load["id"] for load in loads_before)
    assert again.interrupt() == 0
