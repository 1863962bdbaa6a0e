"""``haul ingest``: run one MQTT ingest worker (start several for more throughput).

Each worker needs its own stable ``--worker-id``: it is the MQTT client id that names the
persistent session in which the broker keeps un-acknowledged positions while the worker is
away. A worker id that is retired for good must have its session removed
(`gps_ingest.worker.forget_session`), or the broker keeps queueing its share of the stream. Workers on a Mosquitto broker share the load through MQTT 5 shared subscriptions; on a
broker without MQTT 5 (amqtt, the embedded demo broker) run a single worker. SIGTERM and
SIGINT drain the pipeline and acknowledge what was committed before exiting.
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


@click.command("ingest")
@click.option("--worker-id", default=lambda: os.environ.get("HAUL_INGEST_WORKER_ID", f"{socket.gethostname()}-1"),
              show_default="$HAUL_INGEST_WORKER_ID or <hostname>-1", help="Stable id of this worker.")
@click.option("--mqtt-url", default=lambda: os.environ.get("MQTT_URL", ""), help="mqtt://user:pass@host:port")
@click.option("--protocol", type=click.Choice(["auto", "5", "3.1.1"]), default="auto", show_default=True)
@click.option("--flush-interval", type=float, default=0.1, show_default=True, help="Seconds between flushes.")
@click.option("--receive-maximum", type=int, default=65_535, show_default=True,
              help="MQTT 5 Receive Maximum: un-acked messages the broker may have in flight to us.")
@click.option("--share-group", default="ingest", show_default=True, help="MQTT 5 shared-subscription group.")
@click.option("--session-expiry", type=int, default=7 * 24 * 3600, show_default=True,
              help="Seconds the broker keeps this worker's session (and its un-acked positions) while it is away.")
def ingest(worker_id: str, mqtt_url: str, protocol: str, flush_interval: float, receive_maximum: int,
           share_group: str, session_expiry: int) -> None:
    """Consume vehicle positions from MQTT into the database and the live views."""
    from gps_ingest.worker import MqttIngestWorker, WorkerOptions, probe_mqtt5
    from server.gc_tuning import tune_gc
    from server.mqtt_url import parse_mqtt_url
    from server.tracking.ingest_metrics import metrics_reporter
    from server.tracking.runtime import build_runtime

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not mqtt_url:
        raise click.UsageError("MQTT_URL is not set (haul demo runs its own embedded broker and ingest)")
    target = parse_mqtt_url(mqtt_url)
    mqtt5 = protocol == "5" or (protocol == "auto" and probe_mqtt5(target.host, target.port, target.username,
                                                                     target.password))
    if not mqtt5:
        log.warning("the broker does not speak MQTT 5: plain subscriptions, run only one worker")
    runtime = build_runtime(app_factory=build_app)  # the gate's app, built on the first arrival
    options = WorkerOptions(host=target.host, port=target.port, username=target.username,
                            password=target.password, client_id=f"haul-ingest-{worker_id}", mqtt5=mqtt5,
                            shared=mqtt5, share_group=share_group, session_expiry_s=session_expiry,
                            receive_maximum=receive_maximum, flush_interval_s=flush_interval)
    report = metrics_reporter(worker_id, runtime)

    def tick() -> None:
        runtime.tick()
        report()

    worker = MqttIngestWorker(runtime.pipeline, options, on_tick=tick, store_available=runtime.store.available)
    tune_gc()  # everything is loaded; this process only ingests (server.gc_tuning)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker.start()
    click.echo(f"ingest worker {options.client_id} on {target.host}:{target.port} "
               f"({'MQTT 5, shared' if mqtt5 else 'MQTT 3.1.1, plain'} subscriptions)")
    stop.wait()
    log.info("stopping: draining the pipeline")
    worker.stop()
    runtime.close()
    report(force=True)
    log.info("stopped: %s", json.dumps(runtime.metrics.snapshot()))
