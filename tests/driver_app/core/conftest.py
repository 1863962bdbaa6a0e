"""Fixtures for the driver core: a scriptable local HTTP server and private Mosquitto brokers."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "driver_app"


def load_data(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout_s: float = 15.0, step_s: float = 0.05) -> bool:
    """Poll ``predicate`` until true or the deadline; a bounded wait, not a timing assertion."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return bool(predicate())


@pytest.fixture
def driver_data():
    """Loads a named JSON fixture from tests/data/driver_app."""
    return load_data


@pytest.fixture
def unused_port():
    """Returns a TCP port on 127.0.0.1 that nothing listens on."""
    return free_port


@pytest.fixture(name="wait_until")
def wait_until_fixture():
    """Polls a predicate until true or a deadline (bounded waits for asynchronous results)."""
    return wait_until


# -- HTTP ---------------------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: object = None
    content_type: str = "application/json"
    delay_s: float = 0.0


@dataclass
class FakeApi:
    """Routes ``(method, path)`` to a ``Reply`` (or a list of replies used in turn)."""

    base_url: str = ""
    routes: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: object = None,
        content_type: str = "application/json",
        delay_s: float = 0.0,
    ) -> None:
        """Answer ``method path`` with this reply; routing it again queues a further reply."""
        self.routes.setdefault((method, path), []).append(Reply(status, body, content_type, delay_s))

    def next_reply(self, method: str, path: str) -> Reply:
        replies = self.routes.get((method, path))
        if not replies:
            return Reply(404, {"title": "Not Found", "status": 404}, "application/problem+json")
        return replies.pop(0) if len(replies) > 1 else replies[0]


def _handler_for(api: FakeApi):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            api.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
            reply = api.next_reply(self.command, self.path)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if isinstance(reply.body, bytes | str):
                data = reply.body.encode() if isinstance(reply.body, str) else reply.body
            else:
                data = b"" if reply.body is None else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def fake_api():
    """A real HTTP server on 127.0.0.1 at a free port, answering from ``FakeApi.routes``."""
    api = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(api))
    server.daemon_threads = True
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield api
    server.shutdown()
    server.server_close()


# -- MQTT ---------------------------------------------------------------------------------


class Broker:
    """A private Mosquitto on a free port with a config in a tmp dir; restartable on that port."""

    def __init__(self, workdir: Path, persistence: bool):
        self.port = free_port()
        self.workdir = workdir
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true"]
        if persistence:
            # Saved on shutdown, so a persistent test subscriber keeps its queue across a restart.
            lines += ["persistence true", f"persistence_location {workdir}/", "user root"]
        else:
            lines += ["persistence false"]
        self.conf = workdir / "mosquitto.conf"
        self.conf.write_text("\n".join(lines) + "\n")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.workdir / "mosquitto.log", "ab")  # the child keeps its own copy of the descriptor
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.conf)], stdout=log, stderr=log)
        log.close()
        if not wait_until(self._accepts, timeout_s=10):
            self.stop()
            raise RuntimeError("mosquitto did not start: " + (self.workdir / "mosquitto.log").read_text())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def _accepts(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


def _broker(tmp_path: Path, persistence: bool):
    if shutil.which("mosquitto") is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    broker = Broker(tmp_path, persistence)
    broker.start()
    return broker


@pytest.fixture
def mosquitto(tmp_path):
    """Our own Mosquitto (never the shared one on 1883), stopped after the test."""
    broker = _broker(tmp_path, persistence=False)
    yield broker
    broker.stop()


@pytest.fixture
def persistent_mosquitto(tmp_path):
    """Like ``mosquitto`` but keeps sessions across ``stop()``/``start()`` (for restart tests)."""
    broker = _broker(tmp_path, persistence=True)
    yield broker
    broker.stop()
