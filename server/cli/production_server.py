"""``haul serve`` as it runs: gunicorn, one gevent worker, bounded connections and timeouts.

The command replaces its own process with gunicorn's (``exec``), so signals, the process id and the
exit code are gunicorn's, and gunicorn's master imports nothing of Haul: its worker patches the
standard library for gevent first, then imports the app (``server.cli.served_app``). Flask-SocketIO
needs all of a client's requests in one process, so there is one worker; scale with more
processes behind sticky sessions (docs/deployment.md).

What bounds a client:
- ``idle_timeout_s`` (gunicorn's keep-alive): the time to send a request's line and headers, and
  the time an idle keep-alive connection stays open. A slow-loris connection is closed after it,
  and each one only holds a greenlet, so the others are served meanwhile.
- ``body_timeout_s``: the time a request's body has to arrive (``server.request_deadline``).
- ``max_connections``: connections the worker holds at once (more wait in the listen backlog).
- request line at most 8,190 bytes, at most 100 header fields of at most 8,190 bytes each;
  bodies are bounded by the app (``MAX_CONTENT_LENGTH``, ``HAUL_MAX_BODY_BYTES``).
- ``worker_timeout_s``: a worker that answers nobody that long (CPU held by a solve) is replaced.

Requests are logged on standard output (the access log), errors on standard error; a device's
secret HTTP id is cut to its prefix in the access log (``server.tracking.log_redaction``).
"""

from __future__ import annotations

import os
import sys

REQUEST_LINE_BYTES = 8190  # gunicorn's largest; longer answers 414 from the server itself
HEADER_FIELDS = 100
HEADER_FIELD_BYTES = 8190
APP = "server.cli.served_app:app"


def gunicorn_argv(host: str, port: int, *, idle_timeout_s: float, max_connections: int, worker_timeout_s: int,
                  graceful_timeout_s: int) -> list[str]:
    """The gunicorn command line ``haul serve`` runs."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [sys.executable, "-m", "gunicorn", "--name", "haul-serve", "--bind", bind,
            "--worker-class", "gevent", "--workers", "1", "--worker-connections", str(max_connections),
            "--keep-alive", f"{idle_timeout_s:g}", "--timeout", str(worker_timeout_s),
            "--graceful-timeout", str(graceful_timeout_s), "--limit-request-line", str(REQUEST_LINE_BYTES),
            "--limit-request-fields", str(HEADER_FIELDS), "--limit-request-field_size", str(HEADER_FIELD_BYTES),
            "--no-control-socket", "--error-logfile", "-", "--access-logfile", "-", APP]


def exec_gunicorn(host: str, port: int, *, idle_timeout_s: float, body_timeout_s: float, max_connections: int,
                  worker_timeout_s: int, graceful_timeout_s: int) -> None:
    """Replace this process with gunicorn serving Haul; never returns."""
    argv = gunicorn_argv(host, port, idle_timeout_s=idle_timeout_s, max_connections=max_connections,
                         worker_timeout_s=worker_timeout_s, graceful_timeout_s=graceful_timeout_s)
    # The app's Socket.IO must use gevent's primitives, as the worker does.
    env = {**os.environ, "HAUL_ASYNC_MODE": "gevent", "HAUL_SERVE_BODY_TIMEOUT_S": f"{body_timeout_s:g}"}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, env)
