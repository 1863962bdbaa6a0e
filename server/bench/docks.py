"""``haul bench docks``: the dock scheduler against first come, first served on a generated plant day.

Reports, for Haul and for FCFS (trucks in arrival order at the first free compatible dock;
also the strict one-gate-queue variant where nobody overtakes), total waiting and the number
of late trucks, Haul's solve time and status, and the time to re-plan after one truck's ETA
slips by 45 minutes (appointments already started or called, up to 15 minutes after the
moment the ETA update arrives, are frozen).
"""

from __future__ import annotations

import json
import random
import sys
import time

import click
from tqdm import tqdm

from server.bench import bench
from server.engines.common import Limits, Progress
from server.engines.docks import DockResult, build_problem, fcfs, replan, solve, with_arrival
from server.engines.docks.generator import plant_day

ETA_SLIP_MINUTES = 45
UPDATE_LEAD_MINUTES = 60  # the ETA update reaches the plant this long before the old ETA
CALLED_AHEAD_MINUTES = 15  # appointments starting this soon after the update are already called


def _summary(result: DockResult) -> dict:
    parts = result.objective
    return {
        "status": result.status,
        "method": result.method,
        "proven_optimal": result.proven_optimal,
        "idle_tie_break_proven": result.idle_proven,
        "total_waiting_min": parts.total_waiting,
        "late_trucks": parts.late_trucks,
        "total_lateness_min": parts.total_lateness,
        "idle_min": parts.idle,
        "unscheduled": parts.unscheduled,
        "cost": parts.cost,
        "seconds": result.seconds,
    }


def _replan_once(problem, result: DockResult, seed: int, time_limit: float) -> dict:
    """Slip one mid-day truck's ETA past its booked start and re-plan; returns the figures for the report."""
    booked = sorted((a for a in result.appointments if not a.frozen), key=lambda a: a.start)
    if not booked:
        return {}
    middle = booked[len(booked) // 4 : max(len(booked) // 4 + 1, 3 * len(booked) // 4)]
    # A truck whose slot the slip really breaks: it waited less than the slip.
    displaced = [a for a in middle if a.waiting < ETA_SLIP_MINUTES] or middle
    victim = random.Random(seed).choice(displaced)
    old_eta = problem.loads[problem.load_index[victim.load_id]].arrival
    now = old_eta - UPDATE_LEAD_MINUTES
    frozen = [
        a.load_id
        for a in result.appointments
        if a.start <= now + CALLED_AHEAD_MINUTES and a.load_id != victim.load_id
    ]
    started = time.perf_counter()
    changed = with_arrival(problem, victim.load_id, old_eta + ETA_SLIP_MINUTES)
    outcome = replan(
        changed, result, changed=[victim.load_id], frozen=frozen, limits=Limits(time_limit_s=time_limit)
    )
    seconds = time.perf_counter() - started
    return {
        "load_id": victim.load_id,
        "eta_shift_min": ETA_SLIP_MINUTES,
        "frozen": len(frozen),
        "neighbourhood": outcome.neighbourhood,
        "moved": len(outcome.moved),
        "moved_loads": [move.load_id for move in outcome.moved],
        "seconds": round(seconds, 3),
        "total_waiting_min_after": outcome.result.objective.total_waiting,
        "late_trucks_after": outcome.result.objective.late_trucks,
    }


@bench.command("docks")
@click.option("--trucks", default=1000, show_default=True, help="Trucks (loads) in the plant day.")
@click.option("--docks", "dock_count", default=40, show_default=True, help="Docks at the plant.")
@click.option("--seed", default=0, show_default=True, help="Seed of the generated day.")
@click.option("--time-limit", default=10.0, show_default=True, help="Solve time limit in seconds.")
@click.option("--replan-limit", default=1.0, show_default=True, help="Re-plan time limit in seconds.")
@click.option("--threads", default=1, show_default=True, help="CP-SAT worker threads.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False), default=None, help="Write the report here."
)
def docks_bench(trucks, dock_count, seed, time_limit, replan_limit, threads, json_path):
    """Schedule a generated plant day and compare with first come, first served."""
    bar = tqdm(total=100, desc="docks", unit="%", file=sys.stderr, leave=False)

    def on_progress(progress: Progress) -> None:
        if progress.fraction is not None:
            bar.n = round(5 + 85 * progress.fraction)
            bar.set_postfix_str(progress.message[:40])
            bar.refresh()

    bar.set_postfix_str("generating")
    problem = build_problem(*plant_day(trucks, dock_count, seed))
    baseline, strict = fcfs(problem), fcfs(problem, strict=True)
    bar.update(5)
    result = solve(
        problem, Limits(time_limit_s=time_limit, seed=seed, threads=threads, on_progress=on_progress)
    )
    bar.n = 90
    bar.set_postfix_str("re-planning")
    bar.refresh()
    replanned = _replan_once(problem, result, seed, replan_limit)
    bar.n = 100
    bar.close()

    fcfs_waiting = baseline.objective.total_waiting
    report = {
        "instance": {
            "trucks": trucks,
            "docks": dock_count,
            "seed": seed,
            "time_limit_s": time_limit,
            "threads": threads,
        },
        "haul": _summary(result),
        "fcfs": _summary(baseline),
        "fcfs_strict": _summary(strict),
        "waiting_ratio_vs_fcfs": round(result.objective.total_waiting / fcfs_waiting, 4)
        if fcfs_waiting
        else None,
        "waiting_ratio_vs_fcfs_strict": (
            round(result.objective.total_waiting / strict.objective.total_waiting, 4)
            if strict.objective.total_waiting
            else None
        ),
        "solve_seconds": result.seconds,
        "replan": replanned,
    }
    text = json.dumps(report, indent=2)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    click.echo(text)
