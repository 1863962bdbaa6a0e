"""The servers' own refusals (server/server_errors.py): 414 and 431 are problem+json, not HTML pages."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from werkzeug.serving import make_server

from server.broker.mosquitto import free_port


def _raw(port: int, request: bytes) -> tuple[int, dict, dict]:
    """Send raw bytes; return the status, the headers (lower-case) and the JSON body."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body)


def _long_line(length: int) -> bytes:
    return b"GET /api/v1/orders?x=" + b"a" * length + b" HTTP/1.1\r\nHost: x\r\n\r\n"


def _many_headers(count: int) -> bytes:
    return b"GET /api/v1/orders HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-H%d: 1\r\n" % n for n in range(count)) + b"\r\n"


def _assert_problem(answer, status: int) -> None:
    code, headers, body = answer
    assert code == status and headers["content-type"] == "application/problem+json"
    assert body["status"] == status and body["title"]


def test_the_development_server_refuses_with_problem_json():
    """haul serve's Werkzeug handler answers an over-long request line (414) and 120 headers (431) in JSON."""
    from server.server_errors import ProblemRequestHandler

    server = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True,
                         request_handler=ProblemRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _assert_problem(_raw(server.port, _long_line(70_000)), 414)
        _assert_problem(_raw(server.port, _many_headers(120)), 431)
    finally:
        server.shutdown()


@pytest.mark.slow
def test_gunicorn_refuses_with_problem_json(tmp_path):
    """gunicorn serving server.wsgi:app answers its 414 and 431 in problem+json (its own page is HTML)."""
    port = free_port()
    env = {**os.environ, "HAUL_INSTANCE_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
           "HAUL_WEBHOOK_THREAD": "0", "HAUL_ASYNC_MODE": "threading"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-k", "gthread",
                                "-w", "1", "--bind", f"127.0.0.1:{port}", "server.wsgi:app"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()[-2000:]
                time.sleep(0.2)
        _assert_problem(_raw(port, _long_line(5_000)), 414)
        _assert_problem(_raw(port, _many_headers(120)), 431)
    finally:
        process.terminate()
        process.wait(timeout=30)
