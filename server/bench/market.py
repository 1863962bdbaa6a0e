"""``haul bench market``: bids and grabs through the real Flask app on PostgreSQL, under concurrency.

Seeds sellers, carriers (each with a truck near one plant) and loads, tenders the loads through
the API (half reverse auctions, half grabs), then drives bids and grabs with ``--concurrency``
threads spread over ``--processes`` processes (one Python process uses one core). Each thread
calls the app's WSGI entry point directly, as a threaded gunicorn worker would (``TRANSPORT``);
the client side is a dict and a function call, so the load generator takes little of the cores
it shares with the app and PostgreSQL. Bids run closed loop by default (each thread sends its
next bid when the last is answered, so mean latency is about concurrency / throughput) or open
loop at ``--rate`` bids/s. The first ``--warmup`` share of each thread's bids (20%) runs first
and is reported apart (``bids.warmup``): the processes start cold, and their first seconds
(new PostgreSQL backends, statements compiled and prepared, audiences computed) say how a
server behaves just after a start, not in service. Grabs run in new processes, cold, with no
warm-up: each grab tender is raced once. Reports bids/s, grabs/s, p50/p99 latency, and loads with
more than one award.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import click
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from tqdm import tqdm

from server.bench.market_seed import CEILING, DECREMENT, seed, tender_body

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/haul_bench_market"
TRANSPORT = ("in-process WSGI: each process calls the Flask app's WSGI entry point from its threads, as a "
             "threaded gunicorn worker does; no sockets or HTTP parsing, which a real server adds per request")


def _app(url: str, pool: int):
    from server.app import create_app

    # No webhook thread: no bench organisation subscribes, and the thread would outlive the app
    # (and with --fresh, its database) when the bench runs inside another process, such as a test.
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "WEBHOOK_THREAD": False, "SQLALCHEMY_ENGINE_OPTIONS": {
        "pool_size": pool, "max_overflow": 4, "pool_pre_ping": False}})


def prepare_database(url: str, fresh: bool) -> None:
    """Create the database (dropped first with --fresh, only for haul_bench* names) and migrate it."""
    target = make_url(url)
    name = target.database
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if fresh:
            if not name.startswith("haul_bench"):
                raise click.UsageError("--fresh drops the database; it is allowed on haul_bench* names only")
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _environ(path: str, token: str, body: bytes) -> dict:
    """The WSGI environ a server such as gunicorn hands the app for ``POST path`` with a JSON body."""
    return {"REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "bench", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": "bench"}


def call_app(app, path: str, token: str, body) -> tuple[int, float, str | None]:
    """One request through the app's WSGI entry point, as a WSGI server calls it (the environ is built
    before the clock starts: that part is the HTTP server's work, not the app's).
    Returns (status, milliseconds, refusal reason)."""
    environ = _environ(path, token, json.dumps(body).encode() if body is not None else b"")
    status: list[str] = []
    t0 = time.perf_counter()
    chunks = app(environ, lambda line, _headers, _exc=None: status.append(line))
    try:
        payload = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    ms = (time.perf_counter() - t0) * 1000
    code = int(status[0][:3])
    reason = json.loads(payload).get("reason") if code >= 400 and payload.startswith(b"{") else None
    return code, ms, reason


_ready = None  # the pool's start barrier, set in each worker process


def _set_barrier(barrier) -> None:
    global _ready
    _ready = barrier


def _worker(args):
    """One process: its own app and engine, ``threads`` threads calling it, its share of the requests.

    ``rate`` > 0 offers that many requests/s (open loop): request k of thread j is due at
    start + (k * threads + j) / rate, and its latency counts from then, so a worker that fell
    behind reports the wait too. ``rate`` 0: each thread sends its next request as soon as the
    last one is answered (closed loop). The first ``warm`` requests of each thread run first, in
    the same way, and are reported apart: a freshly started process spends its first seconds
    opening PostgreSQL backends, compiling and preparing statements and filling the audience
    cache, which a server that has been running does not."""
    from server.gc_tuning import tune_gc

    url, threads, requests, rate, warm = args
    app = _app(url, threads)
    tune_gc()  # as the server entry points do (server.wsgi, haul serve): this process stands in for one

    # requests are already split into per-thread queues, so one carrier's bids stay in order
    def run_queue(numbered, t_start, busy):
        j, queue = numbered
        out, served_ms = [], 0.0
        began = time.time()
        for k, (kind, path, token, body) in enumerate(queue):
            late_ms = 0.0
            if rate:
                due = t_start + (k * threads + j) / rate
                if due > time.time():
                    time.sleep(due - time.time())
                late_ms = max(0.0, time.time() - due) * 1000
            status, ms, reason = call_app(app, path, token, body)
            out.append((kind, status, ms + late_ms, reason))
            served_ms += ms
        busy[j] = (time.time() - began, served_ms / 1000)
        return out

    def run(queues):
        """All queues on the threads, started together with the other processes: (start, end, results, busy)."""
        busy = [(0.0, 0.0)] * len(queues)
        _ready.wait(timeout=300)
        t_start = time.time()
        with ThreadPoolExecutor(threads) as pool:
            results = [r for chunk in pool.map(lambda q: run_queue(q, t_start, busy), enumerate(queues)) for r in chunk]
        return t_start, time.time(), results, busy

    with app.app_context():  # open the pool's connections now, as a running server would have them
        from server.extensions import db

        held = [db.engine.connect() for _ in range(threads)]
        for conn in held:
            conn.close()
    warm_results = run([q[:warm] for q in requests])[2] if warm else []
    t_start, t_end, results, busy = run([q[warm:] for q in requests])
    # how long this process ran, and the share of its threads' time spent inside requests (a closed loop
    # near 1.0 means the load generator itself costs little)
    stats = {"wall_s": round(t_end - t_start, 2), "requests": len(results),
             "in_requests": round(sum(b for _, b in busy) / max(sum(w for w, _ in busy), 1e-9), 3)}
    return t_start, t_end, results, stats, warm_results


def _run_phase(url, queues, processes, label, rate: float = 0.0, warmup: float = 0.0):
    """Spread the per-thread queues over the processes; returns (wall seconds, results, warm-up results).
    ``warmup``: the share of each thread's queue sent first and left out of the figures."""
    per_process = [qs for qs in (queues[i::processes] for i in range(processes)) if qs]
    warm = round(min(len(q) for q in queues) * warmup) if warmup else 0
    tasks = [(url, len(qs), qs, rate / len(per_process), warm) for qs in per_process]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(len(tasks), initializer=_set_barrier, initargs=(ctx.Barrier(len(tasks)),)) as pool:
        click.echo(f"{label}: {sum(len(q) for q in queues)} requests on {len(queues)} threads "
                   f"in {len(tasks)} process(es)" + (f", offered at {rate:g}/s" if rate else ""), err=True)
        outs = pool.map(_worker, tasks, chunksize=1)
    wall = max(o[1] for o in outs) - min(o[0] for o in outs)
    click.echo(f"{label}: per process {[o[3] for o in outs]}", err=True)
    return wall, [r for o in outs for r in o[2]], [r for o in outs for r in o[4]]


def _bid_queues(seeded, auctions, total_bids, concurrency, rng):
    """Per-thread queues of bids; a carrier always bids from the same thread, in rounds."""
    queues = [[] for _ in range(concurrency)]
    plan = []
    for rnd in range(3):
        for tender_id, plant in auctions:
            for carrier in seeded.carriers_by_plant.get(plant, []):
                price = CEILING - (rnd + 1) * (DECREMENT * 4) - rng.uniform(0, DECREMENT)
                plan.append((rnd, tender_id, carrier, round(price, 2)))
    rng.shuffle(plan)
    plan.sort(key=lambda p: p[0])  # rounds in order, shuffled within a round
    # Carriers are dealt to the threads in turn (not by id: only half the plants have auctions, and ids
    # of one parity would leave half the threads, and so a whole process, idle).
    slots: dict[int, int] = {}
    for _, tender_id, carrier, price in plan[:total_bids]:
        slot = slots.setdefault(carrier, len(slots) % concurrency)
        queues[slot].append(("bid", f"/api/v1/tenders/{tender_id}/bids", seeded.carrier_tokens[carrier],
                             {"price": price}))
    return queues


def _grab_queues(seeded, grabs, grabbers, concurrency, rng):
    pairs = [(t, c) for t, plant in grabs for c in rng.sample(seeded.carriers_by_plant[plant],
                                                               min(grabbers, len(seeded.carriers_by_plant[plant])))]
    rng.shuffle(pairs)
    queues = [[] for _ in range(concurrency)]
    for i, (tender_id, carrier) in enumerate(pairs):
        queues[i % concurrency].append(("grab", f"/api/v1/tenders/{tender_id}/grab", seeded.carrier_tokens[carrier],
                                        None))
    return queues


def _latency(results) -> dict:
    ms = sorted(r[2] for r in results)
    if not ms:
        return {"p50_ms": None, "p99_ms": None}
    return {"p50_ms": round(statistics.median(ms), 2), "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
            "mean_ms": round(statistics.fmean(ms), 2), "max_ms": round(ms[-1], 2)}


@click.command("market")
@click.option("--carriers", default=500, show_default=True)
@click.option("--loads", default=200, show_default=True)
@click.option("--concurrency", default=50, show_default=True, help="worker threads in all")
@click.option("--processes", default=2, show_default=True, help="processes the threads are spread over")
@click.option("--bids", "total_bids", default=10_000, show_default=True, help="bid requests to send")
@click.option("--rate", default=0.0, show_default=True,
              help="bids/s offered in all (open loop, latency counted from each bid's due time); 0: closed loop")
@click.option("--warmup", default=0.2, show_default=True,
              help="share of each bidding thread's bids sent first and reported apart (cold start)")
@click.option("--grabbers", default=20, show_default=True, help="carriers racing for each grab load")
@click.option("--database-url", default=DEFAULT_URL, show_default=True)
@click.option("--fresh/--no-fresh", default=True, show_default=True, help="drop and recreate a haul_bench* database")
@click.option("--seed", "seed_value", default=7, show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None)
def market_bench(carriers, loads, concurrency, processes, total_bids, rate, warmup, grabbers, database_url, fresh,
                 seed_value, json_out):
    """Bids/s, grabs/s and latency of the marketplace API, and a check that every load has one award."""
    from server.db.migrate import upgrade_to_head
    from server.extensions import db
    from server.models import Award, Tender

    rng = random.Random(seed_value)
    prepare_database(database_url, fresh)
    app = _app(database_url, 5)
    with app.app_context():
        upgrade_to_head()
        seeded = seed(carriers, loads, uuid.uuid4().hex[:6], seed_value)
        client = app.test_client()
        auctions, grabs = [], []
        for index, (load_id, plant, seller) in enumerate(tqdm(seeded.loads, desc="tendering", file=sys.stderr)):
            r = client.post(f"/api/v1/loads/{load_id}/tenders", json=tender_body(index),
                            headers={"Authorization": f"Bearer {seeded.seller_tokens[seller]}"})
            assert r.status_code == 201, r.get_json()
            (auctions if r.get_json()["mode"] == "auction" else grabs).append((r.get_json()["id"], plant))
        db.session.remove()
    with app.app_context(), db.engine.connect() as conn:  # fresh statistics, as a live database would have
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        # Creating and seeding the database leaves tens of megabytes of dirty pages, which the kernel
        # would write back in the middle of the measured phase, where every commit's WAL flush queues
        # behind them; a database that has been running has no such backlog.
        conn.exec_driver_sql("CHECKPOINT")
    os.sync()
    threads = max(1, concurrency)
    if not 0 <= warmup < 1:
        raise click.BadParameter("must be at least 0 and below 1", param_hint="--warmup")
    bid_wall, bid_results, warm_results = _run_phase(
        database_url, _bid_queues(seeded, auctions, total_bids, threads, rng), processes, "bids", rate, warmup)
    grab_wall, grab_results, _ = _run_phase(database_url, _grab_queues(seeded, grabs, grabbers, threads, rng),
                                         processes, "grabs")
    with app.app_context():
        multi = db.session.scalar(select(func.count()).select_from(
            select(Award.load_id).group_by(Award.load_id).having(func.count(Award.id) > 1).subquery()))
        awarded = db.session.scalar(select(func.count(Tender.id)).where(Tender.status == "awarded"))
        awards = db.session.scalar(select(func.count(Award.id)))
    bid_status = Counter(r[1] for r in bid_results)
    grab_status = Counter(r[1] for r in grab_results)
    report = {
        "carriers": carriers, "loads": loads, "concurrency": concurrency, "processes": processes,
        "database": make_url(database_url).render_as_string(hide_password=True), "transport": TRANSPORT,
        "bids": {"mode": f"open loop at {rate:g}/s" if rate else "closed loop", "requests": len(bid_results), "accepted": bid_status.get(201, 0), "status": dict(bid_status),
                 "refusals": dict(Counter(r[3] for r in bid_results if r[3])), "wall_s": round(bid_wall, 3),
                 "requests_per_s": round(len(bid_results) / bid_wall, 1),
                 "accepted_per_s": round(bid_status.get(201, 0) / bid_wall, 1), **_latency(bid_results),
                 "warmup": {"requests": len(warm_results), "accepted": sum(r[1] == 201 for r in warm_results),
                            **_latency(warm_results)}},
        "grabs": {"requests": len(grab_results), "won": grab_status.get(201, 0), "status": dict(grab_status),
                  "refusals": dict(Counter(r[3] for r in grab_results if r[3])), "wall_s": round(grab_wall, 3),
                  "requests_per_s": round(len(grab_results) / grab_wall, 1), **_latency(grab_results)},
        "all_requests": _latency(bid_results + grab_results),
        "grab_tenders": len(grabs), "awarded_tenders": awarded, "awards": awards,
        "loads_with_more_than_one_award": multi,
    }
    text_out = json.dumps(report, indent=2)
    click.echo(text_out)
    if json_out:
        with open(json_out, "w") as fh:
            fh.write(text_out + "\n")
    if multi:
        raise SystemExit(f"{multi} load(s) got more than one award")
