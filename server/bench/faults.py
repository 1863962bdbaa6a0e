"""``haul bench faults``: is every position the broker acknowledged stored exactly once, whatever
happens to one process?

It starts the production ingest path on this machine (`server.bench.fault_stack`: its own
PostgreSQL cluster, its own RabbitMQ with Haul's device auth, a ``haul serve`` for that auth, two
``haul ingest`` workers) and, for each scenario in turn, ``--vehicles`` phone-like publishers
(`server.bench.phone`, MQTT 3.1.1 with real device logins) send one fix per ``1/--rate`` s while
one fault is injected:

* ``worker_killed_new_id``: ``kill -9`` of one of the two workers; after ``--gap`` s a worker with
  a new id replaces it;
* ``all_workers_down_60s``: ``kill -9`` of every worker; new ones (new ids) start ``--down`` s later;
* ``broker_restart``: RabbitMQ stopped cleanly and started again ``--gap`` s later;
* ``database_restart``: the PostgreSQL cluster restarted (``pg_ctl restart -m fast``, sessions cut);
* ``mqtt311_client``: ``kill -9`` of the broker (the whole node) and a restart ``--gap`` s later,
  with MQTT 3.1.1 publishers (OwnTracks-like: no reason codes, only PUBACK or silence).

Each scenario reports ``published`` (fixes the broker acknowledged to a phone), ``stored`` (of
those, stored in the database), ``lost`` (acknowledged, never stored), ``duplicates`` (rows beyond
one per (vehicle, time): the key makes a second copy a no-op, so this checks the database itself),
``recovery_s`` (from the end of the fault until every fix acknowledged by then was stored) and
``unacknowledged`` (fixes still in the phones' outboxes when the scenario gave up: never
acknowledged, so never promised) and ``stalled_connections_remade`` (connections a phone dropped
because acknowledgements stopped, see `server.bench.phone`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from server.bench.fault_stack import FaultStack
from server.bench.phone import Phone

SCENARIOS = ("worker_killed_new_id", "all_workers_down_60s", "broker_restart", "database_restart",
             "mqtt311_client")


class Stream:
    """All phones of a scenario, publishing one fix each per tick in a thread."""

    def __init__(self, stack: FaultStack, devices, rate: float, start: datetime, protocol: str):
        self.phones = [Phone(stack.broker.mqtt_port, vehicle, username, secret, start, protocol=protocol)
                       for vehicle, username, secret in devices]
        self.rate = rate
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Stream:
        deadline = time.monotonic() + 60
        while not all(p.connected.is_set() for p in self.phones):
            if time.monotonic() > deadline:
                raise click.ClickException("phones could not connect to the broker")
            time.sleep(0.1)
        self._thread.start()
        return self

    def _run(self) -> None:
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while not self._stop.is_set():
            for phone in self.phones:
                phone.publish(self.ticks)
            self.ticks += 1
            if self.ticks % max(1, int(self.rate)) == 0:
                for phone in self.phones:
                    phone.resend()
            next_at += interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def acked(self) -> set[tuple[int, datetime]]:
        return {(p.vehicle_id, p.fix_time(i)) for p in self.phones for i in list(p.acked)}

    def settle(self, timeout_s: float) -> int:
        """Resend until every fix is acknowledged (or the time is up); returns those still pending."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pending = sum(p.pending() for p in self.phones)
            if not pending:
                return 0
            for phone in self.phones:
                phone.resend()
            time.sleep(1)
        return sum(p.pending() for p in self.phones)

    def close(self) -> None:
        for phone in self.phones:
            phone.close()


def _faults(stack: FaultStack, gap_s: float, down_s: float) -> dict[str, Callable[[], None]]:
    def replace_one() -> None:
        victim = stack.workers()[0]
        stack.kill(victim)
        time.sleep(gap_s)
        stack.worker(f"w{time.monotonic_ns() % 10**8}")

    def all_down() -> None:
        for name in stack.workers():
            stack.kill(name)
        time.sleep(down_s)
        for _ in range(2):
            stack.worker(f"w{time.monotonic_ns() % 10**8}")

    def broker_hard() -> None:
        stack.broker.restart(down_s=gap_s, hard=True)

    return {
        "worker_killed_new_id": replace_one,
        "all_workers_down_60s": all_down,
        "broker_restart": lambda: stack.broker.restart(down_s=gap_s),
        "database_restart": lambda: (stack.pg.stop("fast"), time.sleep(gap_s), stack.pg.start()),
        "mqtt311_client": broker_hard,
    }


def run_scenario(stack: FaultStack, name: str, fault: Callable[[], None], vehicles: int, rate: float,
                 before_s: float, after_s: float, index: int) -> dict:
    devices = stack.seed_devices(vehicles, f"s{index}")
    ids = [d[0] for d in devices]
    # Each scenario's fixes get their own hour, so fix times never meet another scenario's.
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=24 - index)
    stream = Stream(stack, devices, rate, start, protocol="3.1.1").start()
    try:
        time.sleep(before_s)
        began = time.monotonic()
        fault()
        fault_end = time.monotonic()
        promised = stream.acked()
        recovered_at = None
        deadline = fault_end + 300
        while time.monotonic() < deadline:
            stored, _ = stack.stored(ids)
            if promised <= stored:
                recovered_at = time.monotonic()
                break
            time.sleep(0.25)
        time.sleep(max(0.0, after_s - (time.monotonic() - fault_end)))
        stream.stop()
        unacknowledged = stream.settle(120)
        acked = stream.acked()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            stored, rows = stack.stored(ids)
            if acked <= stored:
                break
            time.sleep(0.5)
        stored, rows = stack.stored(ids)
    finally:
        stream.close()
    return {"published": len(acked), "stored": len(acked & stored), "lost": len(acked - stored),
            "duplicates": rows - len(stored), "recovery_s": round(recovered_at - fault_end, 2) if recovered_at
            else None, "fault_s": round(fault_end - began, 2), "unacknowledged": unacknowledged,
            "stored_not_acknowledged": len(stored - acked), "sent": sum(p.sent for p in stream.phones),
            "stalled_connections_remade": sum(p.reconnects for p in stream.phones)}


@click.command("faults")
@click.option("--vehicles", default=50, show_default=True, help="Phones (one device login and vehicle each).")
@click.option("--rate", default=1.0, show_default=True, help="Fixes per phone per second.")
@click.option("--scenarios", default=",".join(SCENARIOS), show_default=True, help="Comma-separated, in order.")
@click.option("--before", "before_s", default=5.0, show_default=True, help="Seconds of traffic before a fault.")
@click.option("--after", "after_s", default=10.0, show_default=True, help="Seconds of traffic after a fault.")
@click.option("--gap", "gap_s", default=5.0, show_default=True, help="Seconds a killed process stays down.")
@click.option("--down", "down_s", default=60.0, show_default=True, help="Seconds all workers stay down.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--keep", is_flag=True, help="Keep the stack's directory (logs, data).")
def faults_bench(vehicles, rate, scenarios, before_s, after_s, gap_s, down_s, json_out, keep):
    """Inject one fault at a time into the production ingest path; count what was acknowledged and lost."""
    names = [s.strip() for s in scenarios.split(",") if s.strip()]
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise click.UsageError(f"unknown scenario(s): {', '.join(unknown)}")
    directory = Path(tempfile.mkdtemp(prefix="haul-faults-"))
    stack = FaultStack(directory)
    report = {"vehicles": vehicles, "rate_hz": rate, "gap_s": gap_s, "down_s": down_s,
              "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
              "load_average_1m": round(os.getloadavg()[0], 2), "scenarios": {}}
    try:
        stack.start()
        for k in range(2):
            stack.worker(f"first-{k}")
        table = _faults(stack, gap_s, down_s)
        for index, name in enumerate(names):
            while len(stack.workers()) < 2:
                stack.worker(f"w{time.monotonic_ns() % 10**8}")
            result = run_scenario(stack, name, table[name], vehicles, rate, before_s, after_s, index)
            result["load_average_1m"] = round(os.getloadavg()[0], 2)
            report["scenarios"][name] = result
            click.echo(f"{name}: {json.dumps(result)}", err=True)
    finally:
        stack.close()
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            click.echo(f"kept {directory}", err=True)
    report["lost"] = sum(r["lost"] for r in report["scenarios"].values())
    report["duplicates"] = sum(r["duplicates"] for r in report["scenarios"].values())
    click.echo(json.dumps(report, indent=2))
    if json_out:
        Path(json_out).write_text(json.dumps(report, indent=2) + "\n")
    if report["lost"] or report["duplicates"]:
        raise SystemExit(1)

