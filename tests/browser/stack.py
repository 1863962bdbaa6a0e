"""A whole Haul on this machine for the browser tests: a private Redis and Mosquitto on free ports,
``haul serve``, one ``haul ingest`` worker and one ``haul worker`` (RQ), on a fresh SQLite instance
seeded with ``haul seed``. Everything listens on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from server.broker.mosquitto import MosquittoProcess, free_port, port_open

HAUL = str(Path(sys.executable).with_name("haul"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def missing_tools() -> list[str]:
    """What this machine lacks for the browser tests (empty when they can run)."""
    missing = [tool for tool in ("mosquitto", "redis-server") if shutil.which(tool) is None]
    if not Path(CHROMIUM).exists():
        missing.append(CHROMIUM)
    vendor = Path(__file__).resolve().parents[2] / "server" / "web" / "static" / "vendor" / "leaflet" / "leaflet.js"
    if not vendor.exists():
        missing.append("the front-end libraries (make assets)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (Python)")
    return missing


def _wait(predicate, timeout_s: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not come up in {timeout_s} s\n{tail}")


@dataclass
class Stack:
    directory: Path
    port: int = 0
    env: dict = field(default_factory=dict)
    processes: list = field(default_factory=list)
    mosquitto: MosquittoProcess | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mqtt_port(self) -> int:
        return self.mosquitto.port

    @property
    def database(self) -> Path:
        return self.directory / "instance" / "haul.db"

    def log(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def _run(self, *args: str) -> None:
        result = subprocess.run([HAUL, *args], env=self.env, capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            raise RuntimeError(f"haul {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        process = subprocess.Popen([HAUL, *args], env=self.env, stdout=self.log(name).open("ab"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def start(self) -> Stack:
        self.directory.mkdir(parents=True, exist_ok=True)
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", str(self.directory)],
                                 stdout=self.log("redis").open("ab"), stderr=subprocess.STDOUT,
                                 start_new_session=True)
        self.processes.append(redis)
        self.mosquitto = MosquittoProcess(self.directory / "mosquitto").start()
        _wait(lambda: port_open(redis_port), 10, "redis", self.log("redis"))
        self.port = free_port()
        self.env = {**os.environ, "HAUL_INSTANCE_DIR": str(self.directory / "instance"),
                    "MQTT_URL": self.mosquitto.url, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                    "HAUL_MAP_TILES": "", "HAUL_GPS_REORDER_HOLD_S": "0.2"}
        self.env.pop("DATABASE_URL", None)
        self._run("db", "upgrade")
        self._run("seed")
        self._spawn("server", "serve", "--port", str(self.port))
        _wait(self._healthy, 90, "haul serve", self.log("server"))  # gunicorn + app import; slow on a busy machine
        self._spawn("ingest", "ingest", "--worker-id", "browser-tests", "--flush-interval", "0.1")
        self._spawn("worker", "worker")
        return self

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:  # each was started in its own session: this reaches its children (RQ's work horse) too
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.mosquitto is not None:
            self.mosquitto.stop()
