"""``haul ingest``: run one ingest worker (start several, on any machines, for more throughput).

Production (``AMQP_URL`` set): the worker consumes the durable positions queue on RabbitMQ
(`gps_ingest.amqp_worker`). Workers are interchangeable competing consumers: ``--worker-id`` only
names the worker in metrics and in the broker's connection list, and a worker killed and replaced
under another id strands nothing. With ``HAUL_BROKER_MANAGEMENT_URL`` set, each worker also closes
the broker connections of devices that are no longer live (`server.broker.sessions.Reconciler`).

Without ``AMQP_URL`` the worker subscribes over MQTT (``MQTT_URL``; the embedded demo broker, or a
Mosquitto with MQTT 5 shared subscriptions): each worker then needs its own stable ``--worker-id``
(the client id of its persistent session), and docs/deployment.md says what that path does not
promise. SIGTERM and SIGINT drain the pipeline and acknowledge what was committed before exiting.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading

import click

from server.cli.common import build_app

log = logging.getLogger("haul.ingest")

# Every fix waits for the next flush before it is stored, acknowledged and shown live, so this is
# on every fix's way to the dashboards; at 5,000 msg/s a flush happens at 500 waiting fixes anyway.
FLUSH_INTERVAL_S = 0.05


@click.command("ingest")
@click.option("--worker-id", default=lambda: os.environ.get("HAUL_INGEST_WORKER_ID", f"{socket.gethostname()}-1"),
              show_default="$HAUL_INGEST_WORKER_ID or <hostname>-1", help="Stable id of this worker.")
@click.option("--mqtt-url", default=lambda: os.environ.get("MQTT_URL", ""), help="mqtt://user:pass@host:port")
@click.option("--protocol", type=click.Choice(["auto", "5", "3.1.1"]), default="auto", show_default=True)
@click.option("--flush-interval", type=click.FloatRange(min=0, min_open=True), default=FLUSH_INTERVAL_S,
              envvar="HAUL_INGEST_FLUSH_INTERVAL", show_default=True, show_envvar=True,
              help="Seconds between flushes when fewer than a batch wait (a full batch flushes at once).")
@click.option("--receive-maximum", type=int, default=65_535, show_default=True,
              help="MQTT 5 Receive Maximum: un-acked messages the broker may have in flight to us.")
@click.option("--share-group", default="ingest", show_default=True, help="MQTT 5 shared-subscription group.")
@click.option("--session-expiry", type=int, default=7 * 24 * 3600, show_default=True,
              help="MQTT only: seconds the broker keeps this worker's session (and its un-acked positions).")
@click.option("--amqp-url", default=lambda: os.environ.get("AMQP_URL", ""),
              help="amqp://user:pass@host:5672/%2F: consume the durable positions queue (production).")
@click.option("--prefetch", type=int, default=5000, show_default=True,
              help="AMQP: un-acknowledged deliveries the broker may hand this worker.")
def ingest(worker_id: str, mqtt_url: str, protocol: str, flush_interval: float, receive_maximum: int,
           share_group: str, session_expiry: int, amqp_url: str, prefetch: int) -> None:
    """Consume vehicle positions (the durable queue, or MQTT) into the database and the live views."""
    from server.gc_tuning import tune_gc
    from server.tracking.ingest_metrics import metrics_reporter
    from server.tracking.runtime import build_runtime

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not amqp_url and not mqtt_url:
        raise click.UsageError("neither AMQP_URL nor MQTT_URL is set (haul demo runs its own broker and ingest)")
    runtime = build_runtime(app_factory=build_app)  # the gate's app, built on the first arrival
    report = metrics_reporter(worker_id, runtime)
    reconcile = _reconciler(runtime.engine)

    def tick() -> None:
        runtime.tick()
        report()
        reconcile()

    if amqp_url:
        worker, where = _amqp_worker(runtime, tick, amqp_url, worker_id, prefetch, flush_interval)
    else:
        worker, where = _mqtt_worker(runtime, tick, mqtt_url, worker_id, protocol, share_group, session_expiry,
                                     receive_maximum, flush_interval)
    tune_gc()  # everything is loaded; this process only ingests (server.gc_tuning)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker.start()
    click.echo(f"ingest worker {worker_id}: {where}")
    stop.wait()
    log.info("stopping: draining the pipeline")
    worker.stop()
    runtime.close()
    report(force=True)
    log.info("stopped: %s", json.dumps(runtime.metrics.snapshot()))


def _reconciler(engine):
    """Every few seconds, close broker connections of devices that are no longer live."""
    url = os.environ.get("HAUL_BROKER_MANAGEMENT_URL", "")
    if not url:
        return lambda: None
    from server.broker.sessions import Reconciler

    return Reconciler(url, engine).maybe_run


def _amqp_worker(runtime, tick, amqp_url: str, worker_id: str, prefetch: int, flush_interval: float):
    from gps_ingest.amqp_worker import AmqpIngestWorker, AmqpOptions

    options = AmqpOptions(url=amqp_url, prefetch=prefetch, flush_interval_s=flush_interval,
                          name=f"haul-ingest-{worker_id}")
    worker = AmqpIngestWorker(runtime.pipeline, options, on_tick=tick, store_available=runtime.store.available)
    return worker, f"the durable queue {options.queue} (AMQP)"


def _mqtt_worker(runtime, tick, mqtt_url, worker_id, protocol, share_group, session_expiry, receive_maximum,
                 flush_interval):
    from gps_ingest.mqtt_client import probe_mqtt5
    from gps_ingest.worker import MqttIngestWorker, WorkerOptions
    from server.mqtt_url import parse_mqtt_url

    target = parse_mqtt_url(mqtt_url)
    mqtt5 = protocol == "5" or (protocol == "auto" and probe_mqtt5(target.host, target.port, target.username,
                                                                     target.password))
    if not mqtt5:
        log.warning("the broker does not speak MQTT 5: plain subscriptions, run only one worker")
    options = WorkerOptions(host=target.host, port=target.port, username=target.username,
                            password=target.password, client_id=f"haul-ingest-{worker_id}", mqtt5=mqtt5,
                            shared=mqtt5, share_group=share_group, session_expiry_s=session_expiry,
                            receive_maximum=receive_maximum, flush_interval_s=flush_interval)
    worker = MqttIngestWorker(runtime.pipeline, options, on_tick=tick, store_available=runtime.store.available)
    return worker, (f"MQTT {target.host}:{target.port} as {options.client_id} "
                    f"({'MQTT 5, shared' if mqtt5 else 'MQTT 3.1.1, plain'} subscriptions)")
