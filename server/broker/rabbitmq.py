"""RabbitMQ as Haul runs it, and a private instance for tests and benchmarks (never the shared one).

`rabbitmq_conf` is the configuration the production broker needs (docs/deployment.md shows it):
the MQTT plugin for phones, the management API (the server closes revoked devices' connections
through it), and two auth backends in turn: RabbitMQ's own user database for Haul's service users
(ingest workers, servers) and, for everyone else, Haul's HTTP endpoints
(`server.broker.auth_routes`), so devices are checked against the database on every connect.

`RabbitMQProcess` starts ``rabbitmq-server`` on free loopback ports with its own node name, data
directory, configuration and plugins file; `stop` is a clean shutdown, `kill` a ``kill -9``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from server.broker.mosquitto import free_port, port_open

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
PLUGINS = ("rabbitmq_mqtt", "rabbitmq_management", "rabbitmq_auth_backend_http")
AUTH_PATHS = ("user", "vhost", "resource", "topic")


def rabbitmq_conf(*, amqp_port: int, mqtt_port: int, management_port: int, auth_url: str | None,
                  service_user: str, service_password: str, bind: str = "127.0.0.1") -> str:
    """``rabbitmq.conf`` for Haul: MQTT for devices, devices checked by ``auth_url`` (Haul's
    ``/internal/broker`` with its Basic credentials in the URL), the service user built in."""
    lines = [
        f"listeners.tcp.default = {bind}:{amqp_port}",
        f"mqtt.listeners.tcp.default = {bind}:{mqtt_port}",
        f"management.tcp.port = {management_port}",
        f"management.tcp.ip = {bind}",
        "mqtt.allow_anonymous = false",
        "mqtt.vhost = /",
        "mqtt.exchange = amq.topic",
        # The service user is created on first boot with every permission (it declares the queue).
        f"default_user = {service_user}",
        f"default_pass = {service_password}",
        "default_user_tags.administrator = true",
        "loopback_users = none",
        # Memory: a backlog (no worker for a while) lives in the quorum queue's log on disk.
        "vm_memory_high_watermark.relative = 0.4",
        "auth_backends.1 = internal",
    ]
    if auth_url:
        lines += ["auth_backends.2 = http", "auth_http.http_method = post"]
        lines += [f"auth_http.{name}_path = {auth_url.rstrip('/')}/{name}" for name in AUTH_PATHS]
    return "\n".join(lines) + "\n"


class RabbitMQProcess:
    """A RabbitMQ node owned by the caller, on free ports, with its data under ``directory``."""

    def __init__(self, directory: Path, auth_url: str | None = None, service_user: str = "haul-service",
                 service_password: str | None = None):
        if not Path(SERVER).exists():
            raise RuntimeError("rabbitmq-server is not installed")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.amqp_port, self.mqtt_port, self.management_port, self.dist_port = (free_port() for _ in range(4))
        self.service_user = service_user
        self.service_password = service_password or uuid.uuid4().hex
        self.node = f"haul-{uuid.uuid4().hex[:10]}@localhost"
        (self.directory / "rabbitmq.conf").write_text(rabbitmq_conf(
            amqp_port=self.amqp_port, mqtt_port=self.mqtt_port, management_port=self.management_port,
            auth_url=auth_url, service_user=service_user, service_password=self.service_password))
        (self.directory / "enabled_plugins").write_text(f"[{','.join(PLUGINS)}].\n")
        self.process: subprocess.Popen | None = None

    @property
    def amqp_url(self) -> str:
        return f"amqp://{quote(self.service_user)}:{quote(self.service_password)}@127.0.0.1:{self.amqp_port}/%2F"

    @property
    def management_url(self) -> str:
        return f"http://{quote(self.service_user)}:{quote(self.service_password)}@127.0.0.1:{self.management_port}"

    def mqtt_url(self, username: str | None = None, password: str | None = None) -> str:
        if username is None:
            username, password = self.service_user, self.service_password
        return f"mqtt://{quote(username)}:{quote(password or '')}@127.0.0.1:{self.mqtt_port}"

    def _env(self) -> dict[str, str]:
        d = self.directory
        # HOME: the node keeps its Erlang cookie there, not in the invoking user's home.
        # No busy-waiting schedulers: Erlang spins idle schedulers by default, CPU that the workers,
        # PostgreSQL and the publishers sharing this machine's cores need (see docs/deployment.md).
        return {**os.environ, "HOME": str(d), "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "+sbwt none +sbwtdcpu none +sbwtdio none",
                "RABBITMQ_NODE_PORT": str(self.amqp_port), "RABBITMQ_DIST_PORT": str(self.dist_port), "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
                "RABBITMQ_LOG_BASE": str(d / "log"), "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
                "RABBITMQ_PLUGINS_EXPAND_DIR": str(d / "plugins-expand"), "RABBITMQ_PID_FILE": str(d / "pid")}

    def start(self, timeout_s: float = 90.0) -> RabbitMQProcess:
        log = (self.directory / "server.out").open("ab")
        self.process = subprocess.Popen([SERVER], env=self._env(), stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout_s
        # The MQTT listener opens last, once the plugins (and the management API) are up.
        while not (port_open(self.mqtt_port) and port_open(self.management_port) and port_open(self.amqp_port)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"rabbitmq-server did not start; see {self.directory}/server.out and log/")
            time.sleep(0.1)
        return self

    def stop(self, timeout_s: float = 60.0) -> None:
        """A clean shutdown (SIGTERM), as a service manager would do it."""
        self._signal(signal.SIGTERM, timeout_s)

    def kill(self) -> None:
        """``kill -9`` of the whole node (the Erlang VM and its helper processes)."""
        self._signal(signal.SIGKILL, 10)

    def _signal(self, sig: int, timeout_s: float) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        deadline = time.monotonic() + 10
        while port_open(self.amqp_port) and time.monotonic() < deadline:
            time.sleep(0.1)

    def restart(self, down_s: float = 1.0, hard: bool = False) -> None:
        self.kill() if hard else self.stop()
        time.sleep(down_s)
        self.start()

    def __enter__(self) -> RabbitMQProcess:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
