"""The embedded broker of ``haul demo``: amqtt in a background thread, plus one ingest worker.

amqtt speaks MQTT 3.1.1 only and has no shared subscriptions, so the demo runs a single ingest
worker with plain subscriptions and a persistent (clean_session=False) session; the worker
detects this itself (`gps_ingest.mqtt_client.probe_mqtt5`). Anonymous clients are allowed: the
demo listens on loopback only. It promises less than production (docs/deployment.md): messages
live in memory only, so a crash of the demo process loses what was acknowledged and not yet
stored. Production uses RabbitMQ with the durable positions queue and Haul's device checks
(`server.broker.rabbitmq`, `server.broker.auth_routes`).

``haul demo`` wiring (for the lead)::

    from server.broker.embedded import start_embedded_ingest
    handle = start_embedded_ingest(app, port=1883)   # sets MQTT_URL for the app's driver inbox
    ...
    handle.stop()
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)


class EmbeddedBroker:
    """An amqtt broker on ``host:port``, running its own event loop in a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883):
        self.host, self.port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout_s: float = 15.0) -> EmbeddedBroker:
        self._thread = threading.Thread(target=self._run, name="amqtt-broker", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("the embedded MQTT broker did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the embedded MQTT broker failed to start: {self._error}") from self._error
        return self

    def _run(self) -> None:
        from amqtt.broker import Broker

        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}", "max_connections": 0}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        try:
            self._broker = Broker(config, loop=self._loop)
            self._loop.run_until_complete(self._broker.start())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    def stop(self, timeout_s: float = 10.0) -> None:
        if self._loop is None or self._broker is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
        try:
            future.result(timeout_s)
        except Exception:
            log.warning("embedded broker shutdown did not finish cleanly", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout_s)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, port)) != 0


@dataclass
class EmbeddedIngest:
    broker: EmbeddedBroker | None
    worker: object
    runtime: object

    def stop(self) -> None:
        self.worker.stop()
        self.runtime.close()
        if self.broker is not None:
            self.broker.stop()


def start_embedded_ingest(app, host: str = "127.0.0.1", port: int = 1883) -> EmbeddedIngest:
    """Start amqtt (unless a broker already listens there) and one in-process ingest worker.

    Positions fan out through the app's own Socket.IO server (no Redis needed in the demo).
    """
    from gps_ingest.mqtt_client import probe_mqtt5
    from gps_ingest.worker import MqttIngestWorker, WorkerOptions
    from server.extensions import db, socketio
    from server.realtime import driver_inbox
    from server.tracking.runtime import build_runtime

    broker = EmbeddedBroker(host, port).start() if port_is_free(host, port) else None
    url = broker.url if broker else f"mqtt://{host}:{port}"
    app.config["MQTT_URL"] = url
    driver_inbox.configure(url)
    deadline = time.monotonic() + 10
    mqtt5 = False
    while time.monotonic() < deadline:
        try:
            mqtt5 = probe_mqtt5(host, port)
            break
        except OSError:
            time.sleep(0.2)
    with app.app_context():
        engine = db.engine
    runtime = build_runtime(engine=engine, emit=lambda event, data, room: socketio.emit(event, data, to=room),
                            app=app)
    options = WorkerOptions(host=host, port=port, client_id="haul-ingest-demo", mqtt5=mqtt5, shared=False)
    worker = MqttIngestWorker(runtime.pipeline, options, on_tick=runtime.tick,
                             store_available=runtime.store.available).start()
    log.info("embedded ingest on %s (MQTT %s)", url, "5" if mqtt5 else "3.1.1")
    return EmbeddedIngest(broker, worker, runtime)
