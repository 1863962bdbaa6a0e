"""Fixtures for the driver app's UI tests: a seeded ``haul serve`` and a scenario runner.

Each UI scenario runs the Kivy app in its own Python process (Kivy's window, Clock and
font registry are process-global), in SDL's offscreen window with Mesa's real OpenGL.
Screenshots go to ``HAUL_UI_ARTIFACTS`` when set (CI keeps them), else to a temporary dir.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
# --import-mode=importlib puts no test folder on sys.path; the tests here import the stub API.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
CLI = "from server.cli import main; main()"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def ui_artifacts(tmp_path_factory) -> Path:
    """Where the scenarios write screenshots and summaries."""
    path = Path(os.environ.get("HAUL_UI_ARTIFACTS") or tmp_path_factory.mktemp("driver-ui"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def serving_haul(instance: Path, **env_vars: str):
    """A real Haul server (SQLite in ``instance``, demo data seeded) on a free port, with extra ``env_vars``."""
    instance.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HAUL_INSTANCE_DIR": str(instance)}
    for name in ("DATABASE_URL", "MQTT_URL", "REDIS_URL"):
        env.pop(name, None)
    env.update(env_vars)
    subprocess.run([sys.executable, "-c", CLI, "seed"], cwd=ROOT, env=env, check=True, timeout=180,
                   capture_output=True)
    port = _free_port()
    log = open(instance / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-c", CLI, "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if requests.get(url + "/api/v1/auth/me", timeout=1).status_code == 401:
                    break
            except (requests.ConnectionError, requests.Timeout):  # a busy machine may answer late
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("haul serve did not start: " + (instance / "serve.log").read_text())
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def haul_server(tmp_path_factory):
    """A real Haul server (SQLite in a temporary instance dir, demo data seeded) on a free port."""
    with serving_haul(tmp_path_factory.mktemp("haul-instance")) as url:
        yield url


@pytest.fixture
def serve_haul():
    """``serving_haul``: for a test that needs its own server with extra environment (e.g. MQTT_URL)."""
    return serving_haul


@pytest.fixture
def run_scenario(ui_artifacts):
    """Runs ``scenario_<name>.py`` in a fresh Python process; returns the completed process."""

    def run(name: str, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "KIVY_GL_BACKEND"}
        command = [sys.executable, str(HERE / f"scenario_{name}.py"), str(ui_artifacts), *args]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
        assert result.returncode == 0, f"scenario {name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        return result

    return run


@pytest.fixture
def unused_port_url() -> str:
    """An http:// address on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{_free_port()}"


@pytest.fixture
def api():
    """The stub Haul API on a free port (stub_haul_api.py), for the controller tests without Kivy."""
    from stub_haul_api import StubHaulApi

    with StubHaulApi() as stub:
        yield stub


@pytest.fixture
def controller(tmp_path):
    """The screens' actions on a fresh phone data folder, calling at once instead of on a thread."""
    from driver_app.glue.controller import DriverController
    from driver_app.glue.explain import ImmediateRunner

    return DriverController(tmp_path / "data", ImmediateRunner(), timeout=(2.0, 5.0))
