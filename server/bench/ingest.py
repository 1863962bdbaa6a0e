"""``haul bench ingest``: end-to-end GPS ingest throughput and latency on the real services.

It creates a fresh PostGIS database (``haul db upgrade`` in a subprocess), seeds ``--vehicles``
vehicles (each on an in-transit load of one buyer), starts a private RabbitMQ (the production
path: MQTT plugin, durable positions queue, `server.broker.rabbitmq`) and ``--workers`` ``haul
ingest`` processes consuming that queue, and publishes from ``--publishers`` processes over MQTT
3.1.1: every vehicle sends a QoS 1 message ``--rate`` times a second holding ``--batch`` fixes, for
``--duration`` seconds. A fix counts as published when the broker acknowledged it, i.e. once the
queue has it.
A fix's time is its publish time, so ``received_at - time`` of a stored row is publish->commit.
With ``--clients`` > 0 it also starts two Socket.IO servers as production runs them (gunicorn,
one gevent worker each, on Redis) and, in a process of their own, that many Socket.IO clients
(asyncio), half on each server, each following ``--follow`` vehicles' load rooms; they measure
publish->client latency from the fix time in each ``position`` event or ``positions`` batch
(see `server.bench.ingest_clients`). Fixes carry what the driver app sends (speed included).

Reported (JSON): positions/s and messages/s committed (all stored fixes over the span from the
first publish to the last commit; the offered rate is reported apart), lost (published minus
stored once the workers stop making progress), duplicate rows (must be 0),
redelivered fixes the workers skipped, p50/p99 publish->commit and publish->client in ms.
Every process it starts is stopped and the database dropped at the end (``--keep-db`` keeps it).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from server.bench.cpu import cpu_seconds
from server.bench.ingest_clients import client_process, start_server
from server.bench.ingest_publisher import publisher_process

HAUL = str(Path(sys.executable).with_name("haul"))
PG_BASE = os.environ.get("HAUL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True,
                   capture_output=True)


def _seed(url: str, vehicles: int) -> tuple[list[int], dict[int, int], str]:
    """Vehicles of one carrier, each on an in-transit load of one buyer; returns ids, loads, buyer token."""
    import hashlib

    from sqlalchemy import create_engine, insert

    from server.models import ApiToken, Load, Organisation, Site, Vehicle, VehicleType

    engine = create_engine(url)
    now = datetime.now(UTC)
    token = "haul_bench_" + uuid.uuid4().hex
    with engine.begin() as conn:
        def add(model, **values):
            return conn.execute(insert(model.__table__).values(**values).returning(model.__table__.c.id)).scalar()

        seller, buyer, carrier = (add(Organisation, name=k, kind=k, settings={}) for k in ("seller", "buyer", "carrier"))
        plant = add(Site, organisation_id=seller, name="P", location="SRID=4326;POINT(6.7 51.4)")
        yard = add(Site, organisation_id=buyer, name="Y", kind="customer", location="SRID=4326;POINT(9.9 53.5)")
        vtype = add(VehicleType, organisation_id=carrier, name="T", max_weight_kg=1, max_volume_m3=1,
                    pallet_positions=1, equipment=[])
        ids = [r[0] for r in conn.execute(insert(Vehicle.__table__).returning(Vehicle.__table__.c.id), [
            {"organisation_id": carrier, "vehicle_type_id": vtype, "plate": f"B-{i}"} for i in range(vehicles)])]
        rows = conn.execute(insert(Load.__table__).returning(Load.__table__.c.id, Load.__table__.c.vehicle_id), [
            {"seller_org_id": seller, "buyer_org_id": buyer, "carrier_org_id": carrier, "reference": f"BL-{v}",
             "status": "in_transit", "pickup_site_id": plant, "delivery_site_id": yard, "vehicle_id": v,
             "pickup_earliest": now, "pickup_latest": now, "delivery_earliest": now, "delivery_latest": now}
            for v in ids])
        loads = {vehicle: load for load, vehicle in rows}
        add(ApiToken, organisation_id=buyer, name="bench", kind="erp", roles=["viewer"], prefix=token[:12],
            token_hash=hashlib.sha256(token.encode()).hexdigest())
    engine.dispose()
    return ids, loads, token


def _wait_consuming(logs: list[Path], timeout_s: float = 120.0) -> None:
    """Wait until every worker consumes the queue, so the measured span is not the workers' start-up
    (nothing is lost meanwhile: the queue exists before the first publish and holds the fixes)."""
    deadline = time.time() + timeout_s
    while not all(log.exists() and "consuming haul.positions" in log.read_text(errors="replace") for log in logs):
        if time.time() > deadline:
            raise click.ClickException(f"ingest workers did not start within {timeout_s:.0f} s; see {logs}")
        time.sleep(0.05)


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50_ms": None, "p99_ms": None, "samples": 0}
    values = sorted(values)
    return {"p50_ms": round(values[len(values) // 2], 1), "p99_ms": round(values[int(len(values) * 0.99)], 1),
            "samples": len(values)}


def _wait_http(port: int, timeout_s: float = 180) -> None:
    import requests

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise click.ClickException(f"haul serve on port {port} did not come up")


@click.command("ingest")
@click.option("--vehicles", default=1000, show_default=True)
@click.option("--rate", default=1.0, show_default=True, help="Messages per vehicle per second.")
@click.option("--batch", default=1, show_default=True, help="Fixes per message.")
@click.option("--duration", default=60.0, show_default=True, help="Seconds of publishing.")
@click.option("--clients", default=0, show_default=True, help="Socket.IO dashboard clients.")
@click.option("--follow", default=10, show_default=True, help="Vehicles each client follows.")
@click.option("--workers", default=1, show_default=True)
@click.option("--client-procs", default=6, show_default=True, help="Processes the clients are spread over.")
@click.option("--publishers", default=2, show_default=True, help="Load-generator processes.")
@click.option("--redis-url", default="redis://127.0.0.1:6379/12", show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--keep-db", is_flag=True)
def ingest_bench(vehicles, rate, batch, duration, clients, follow, workers, client_procs, publishers, redis_url,
                 json_out, keep_db):
    """Publish positions through MQTT and the durable queue into PostGIS (and Socket.IO) and measure."""
    from sqlalchemy import create_engine, text

    from server.broker.mosquitto import free_port
    from server.broker.rabbitmq import RabbitMQProcess

    run = uuid.uuid4().hex[:6]
    name = f"haul_bench_{run}"
    url = f"{PG_BASE}/{name}"
    tmp = Path(f"/tmp/haul-bench-{run}")
    tmp.mkdir(parents=True)
    procs: list[subprocess.Popen] = []
    broker = None
    listeners: list[mp.Process] = []
    load_at_start = round(os.getloadavg()[0], 2)
    _psql(f"CREATE DATABASE {name}")
    try:
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "HAUL_INSTANCE_DIR": str(tmp)}
        subprocess.run([HAUL, "db", "upgrade"], env=env, check=True, capture_output=True)
        ids, loads, token = _seed(url, vehicles)
        broker = RabbitMQProcess(tmp / "rabbitmq").start()
        env["AMQP_URL"] = broker.amqp_url
        env["MQTT_URL"] = broker.mqtt_url()  # the servers' driver-inbox publisher
        subprocess.run([HAUL, "broker", "setup"], env=env, check=True, capture_output=True)
        for k in range(workers):
            procs.append(subprocess.Popen([HAUL, "ingest", "--worker-id", f"bench-{run}-{k}"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=(tmp / f"worker-{k}.log").open("wb")))
        ports = []
        if clients:
            for _ in range(2):
                port = free_port()
                ports.append(port)
                procs.append(start_server(port, env, tmp / f"serve-{port}.log"))
            for port in ports:
                _wait_http(port)
        _wait_consuming([tmp / f"worker-{k}.log" for k in range(workers)])
        clients_out: mp.Queue = mp.Queue()
        clients_start: mp.Queue = mp.Queue()
        if clients:
            # Each client follows vehicles drawn at random (seeded), as a dashboard's loads are: not
            # neighbours in the publishers' schedule, whose fixes would share one ingest flush.
            draw = random.Random(0)
            follow_sets = [[loads[v] for v in draw.sample(ids, min(follow, len(ids)))] for _ in range(clients)]
            # Clients in --client-procs processes (a share each): on 2 cores, parsing what 500
            # clients receive must not be one interpreter's bottleneck. With 2 processes (250
            # clients in each event loop) the servers had every fix out by p99 ~310 ms and the
            # clients read it at p99 575-1,006 ms; with 6, 316-420 ms (docs/deployment.md).
            for k in range(client_procs):
                ready = mp.Event()
                listeners.append(mp.Process(target=client_process, args=(
                    [f"http://127.0.0.1:{p}" for p in ports], token, follow_sets[k::client_procs], ready,
                    clients_start, clients_out)))
                listeners[-1].start()
                ready.wait(600)
        start_at = time.time() + 2
        if clients:
            for _ in listeners:
                clients_start.put(start_at + duration + 5)
        queue: mp.Queue = mp.Queue()
        shares = [ids[i::publishers] for i in range(publishers)]
        login = (broker.service_user, broker.service_password)
        pubs = [mp.Process(target=publisher_process, args=(broker.mqtt_port, login, share, rate, batch, duration,
                                                           start_at, queue))
                for share in shares if share]
        cpu_parts = {"broker": lambda: cpu_seconds(groups=[broker.process.pid]),
                     "workers": lambda: cpu_seconds(pids=[p.pid for p in procs[:workers]]),
                     "postgres_backends": lambda: cpu_seconds(
                         matching=lambda cmd: cmd.startswith("postgres:") and f" {name} " in cmd)}
        cpu_before = {part: read() for part, read in cpu_parts.items()}  # start-up excluded
        for p in pubs:
            p.start()
        clients_report = {"latencies": [], "joined": 0, "failed": 0}
        for _ in listeners:
            part = clients_out.get(timeout=duration + 120)
            for key in clients_report:
                clients_report[key] += part[key]
        for listener in listeners:
            listener.join(30)
        reports = [queue.get(timeout=duration + 600) for _ in pubs]  # a loaded machine publishes late
        for p in pubs:
            p.join()
        published = sum(r["fixes"] for r in reports)
        engine = create_engine(url)
        count = text("SELECT count(*) FROM positions")
        cpu = None
        deadline, stored, last_progress = time.time() + 600, -1, time.time()
        while time.time() < deadline and time.time() - last_progress < 20:  # catch up while progressing
            with engine.connect() as conn:
                now_stored = conn.execute(count).scalar()
            if now_stored > stored:
                stored, last_progress = now_stored, time.time()
            if stored >= published:
                break
            time.sleep(1)
        # Before anything stops: what each part used, whatever share of the cores it was given.
        cpu = {part: round(read() - cpu_before[part], 1) for part, read in cpu_parts.items()}
        with engine.connect() as conn:
            window = conn.execute(text(
                "SELECT count(*), (SELECT max(received_at) FROM positions) FROM positions "
                "WHERE time >= :a AND time < :b"),
                {"a": datetime.fromtimestamp(start_at, UTC), "b": datetime.fromtimestamp(start_at + duration, UTC)
                 + timedelta(seconds=1)}).one()
            commit = conn.execute(text(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP "
                "(ORDER BY ms) FROM (SELECT extract(epoch FROM received_at - time) * 1000 AS ms FROM positions) x"
            )).one()
            distinct = conn.execute(text("SELECT count(DISTINCT (vehicle_id, time)) FROM positions")).scalar()
        engine.dispose()
        report = {
            "vehicles": vehicles, "rate_hz": rate, "batch": batch, "duration_s": duration, "workers": workers,
            "publishers": publishers, "clients": clients, "transport": "MQTT 3.1.1 -> RabbitMQ quorum queue -> AMQP",
        "load_average_1m_at_start": load_at_start,
            "published_messages": sum(r["messages"] for r in reports), "published_positions": published,
            "unrouted_pubacks": sum(r["unrouted"] for r in reports), "refused": sum(r["refused"] for r in reports),
            "stored_positions": stored, "lost": published - stored, "duplicate_rows": stored - distinct,
            # Committed rate: every stored fix over the time from the first publish to the last commit
            # (a worker that falls behind stretches the span, so this is not the offered rate).
            "positions_per_s": round(stored / max(duration, window[1].timestamp() - start_at), 1)
            if window[1] else 0.0,
            "messages_per_s": round(stored / batch / max(duration, window[1].timestamp() - start_at), 1)
            if window[1] else 0.0,
            "offered_messages_per_s": round(sum(r["messages"] for r in reports) / duration, 1),
            "commit_span_s": round(window[1].timestamp() - start_at, 1) if window[1] else None,
            "publish_to_commit": {"p50_ms": round(commit[0] or 0, 1), "p99_ms": round(commit[1] or 0, 1)},
            "publish_to_client": _percentiles(clients_report["latencies"]),
            "clients_joined": clients_report["joined"], "clients_failed": clients_report["failed"],
            "cpu_s": cpu, "cpu_ms_per_message": {k: round(v * 1000 / max(1, stored / batch), 3)
                                                 for k, v in (cpu or {}).items()},
            **_worker_counters(redis_url, run),
        }
        click.echo(json.dumps(report, indent=2))
        if json_out:
            Path(json_out).write_text(json.dumps(report, indent=2) + "\n")
    finally:
        for listener in listeners:
            if listener.is_alive():
                listener.terminate()
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if broker is not None:
            broker.kill()  # its data is this run's alone
        if not keep_db:
            _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _worker_counters(redis_url: str, run: str) -> dict:
    """Redeliveries the workers skipped and fixes they dropped (per reason), from their Redis counters."""
    try:
        import redis

        from server.tracking.ingest_metrics import METRICS_KEY

        reported = [json.loads(v) for k, v in redis.Redis.from_url(redis_url).hgetall(METRICS_KEY).items()
                    if k.decode().startswith(f"bench-{run}")]
    except Exception:
        return {"redelivered": None, "dropped": None}
    dropped: dict[str, int] = {}
    for snap in reported:
        for key, value in snap.items():
            if key.startswith("dropped_") and value:
                dropped[key[8:]] = dropped.get(key[8:], 0) + value
    return {"redelivered": sum(snap["duplicates"] for snap in reported), "dropped": dropped}
