"""``haul serve`` is a production server: slow and idle clients are cut off in bounded time, others are served."""

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

from server.broker.mosquitto import free_port

HAUL = str(Path(sys.executable).with_name("haul"))
IDLE_S, BODY_S = 2.0, 3.0
HALF_OPEN = 300


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A real ``haul serve`` on a free port and a fresh SQLite instance, with short timeouts."""
    directory = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "HAUL_INSTANCE_DIR": str(directory / "instance"), "HAUL_WEBHOOK_THREAD": "0"}
    for name in ("DATABASE_URL", "REDIS_URL", "MQTT_URL", "HAUL_ASYNC_MODE"):
        env.pop(name, None)
    port = free_port()
    log = (directory / "serve.log").open("wb")
    process = subprocess.Popen([HAUL, "serve", "--port", str(port), "--idle-timeout", str(IDLE_S),
                                "--body-timeout", str(BODY_S)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("haul serve did not start:\n" + (directory / "serve.log").read_text()[-3000:])
    yield {"base": base, "port": port, "process": process, "log": directory / "serve.log"}
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


@pytest.mark.slow
def test_half_open_connections_neither_block_others_nor_stay_open(served):
    """300 clients that never finish their headers (half of them trickling bytes) are closed within the idle
    timeout, and a normal request is answered at once meanwhile."""
    half_open = []
    for _ in range(HALF_OPEN):
        sock = socket.create_connection(("127.0.0.1", served["port"]), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: haul\r\nX-Slow: ")
        sock.setblocking(False)
        half_open.append(sock)
    opened = time.monotonic()
    started = time.monotonic()
    assert requests.get(f"{served['base']}/healthz", timeout=5).json() == {"status": "ok"}
    assert time.monotonic() - started < 2.0
    open_ones = set(range(HALF_OPEN))
    while open_ones and time.monotonic() - opened < IDLE_S + 5:
        for i in list(open_ones):
            try:
                if i % 2:
                    half_open[i].send(b"x")  # slow loris: a byte now and then keeps no connection alive
            except OSError:
                pass
            if _closed(half_open[i]):
                open_ones.discard(i)
        time.sleep(0.25)
    closed_after = time.monotonic() - opened
    for sock in half_open:
        sock.close()
    assert not open_ones, f"{len(open_ones)} half-open connections still open after {closed_after:.1f} s"
    assert requests.get(f"{served['base']}/healthz", timeout=5).ok


@pytest.mark.slow
def test_a_body_that_trickles_in_is_cut_off_with_a_408(served):
    """A request whose declared body does not arrive within the body timeout ends with 408 problem+json."""
    sock = socket.create_connection(("127.0.0.1", served["port"]), timeout=BODY_S + 10)
    sock.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: haul\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{")
    started = time.monotonic()
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"application/problem+json" in answer
    assert BODY_S - 0.5 < time.monotonic() - started < BODY_S + 5
