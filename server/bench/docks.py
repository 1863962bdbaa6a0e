"""``haul bench docks``: the dock scheduler against first come, first served on a generated plant day.

Reports total waiting, late trucks and cost for Haul and for two first-come-first-served
baselines (``server.engines.docks.fcfs``), Haul's solve time and status, and the time to
re-plan after one truck's ETA slips by 45 minutes (appointments already started or called,
up to 15 minutes after the moment the ETA update arrives, are frozen).

The two baselines, both "what a plant does without appointments":

* ``fcfs`` (equipment-aware, the stronger one): trucks in arrival order, each at the
  compatible dock where it can start first; the office calls the next truck that fits the
  dock that came free, so a truck waiting for a liquid arm never holds up a pallet truck.
  This is the baseline of ``waiting_ratio_vs_fcfs``.
* ``fcfs_strict`` (one gate queue): nobody starts before a truck that arrived earlier, so a
  truck waiting for a busy dock of its kind blocks everyone behind it (head-of-line blocking).

Waiting is the booked start minus the truck's ETA, whether the driver spends it at the gate
or, told the slot in advance, elsewhere: asking a truck to come later within its window moves
where it waits, not how long, so it earns nothing here. Haul minimises ``waiting + 3 x
lateness`` (``Weights``), not waiting alone, so it gives up some waiting to get trucks loaded
inside their windows; the cost and late-truck figures show that side.

``--bound-bucket N`` adds a lower bound (``server.engines.docks.bound``) on the waiting and
on the cost any schedule can reach, so a ratio target can be checked for reachability. On
the 1,000-truck, 40-dock days (seeds 1-3) more loading work arrives between 06:00 and 15:00
than the pallet docks can do in that time (13-17% more), so most waiting is backlog that no
order of loading removes: the bound is 0.65-0.69 of the equipment-aware FCFS waiting.

``--appointments`` plays the day with appointments instead (drivers aim at booked slots with
noise and no-shows, Haul re-plans live) and reports on-site waiting and total delay against
FCFS: ``server.bench.appointments.report``.
"""

from __future__ import annotations

import json
import random
import sys
import time

import click
from tqdm import tqdm

from server.bench.appointments.report import appointments_report
from server.engines.common import Limits, Progress
from server.engines.docks import DockResult, build_problem, fcfs, lower_bound, replan, solve, with_arrival
from server.engines.docks.generator import plant_day

ETA_SLIP_MINUTES = 45
UPDATE_LEAD_MINUTES = 60  # the ETA update reaches the plant this long before the old ETA
CALLED_AHEAD_MINUTES = 15  # appointments starting this soon after the update are already called


BASELINES = {
    "fcfs": "equipment-aware: arrival order, each truck at the compatible dock free first; "
    "a truck for another kind of dock never holds it up",
    "fcfs_strict": "one gate queue: nobody starts before an earlier truck (head-of-line blocking)",
    "waiting": "booked start minus ETA, in minutes; Haul minimises waiting + 3 x lateness",
}


def _ratio(value: float, base: float) -> float | None:
    return round(value / base, 4) if base else None


def _bound(problem, baseline: DockResult, bucket: int) -> dict:
    """Lower bounds on waiting and cost over every schedule, and as a share of the equipment-aware FCFS."""
    started = time.perf_counter()
    bound = lower_bound(problem, bucket)
    return {
        "bucket_min": bucket,
        "total_waiting_min": None if bound.total_waiting is None else round(bound.total_waiting),
        "waiting_ratio_vs_fcfs": None
        if bound.total_waiting is None
        else _ratio(bound.total_waiting, baseline.objective.total_waiting),
        "cost": None if bound.cost is None else round(bound.cost),
        "seconds": round(time.perf_counter() - started, 3),
    }


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


@click.command("docks")
@click.option("--trucks", default=1000, show_default=True, help="Trucks (loads) in the plant day.")
@click.option("--docks", "dock_count", default=40, show_default=True, help="Docks at the plant.")
@click.option("--seed", default=0, show_default=True, help="Seed of the generated day.")
@click.option("--time-limit", default=10.0, show_default=True, help="Solve time limit in seconds.")
@click.option("--replan-limit", default=1.0, show_default=True, help="Re-plan time limit in seconds.")
@click.option("--threads", default=1, show_default=True, help="CP-SAT worker threads.")
@click.option(
    "--bound-bucket",
    default=0,
    show_default=True,
    help="Also compute a lower bound on waiting and cost with time slices of this many minutes "
    "(0: off; 5 takes one to three minutes on 1,000 trucks).",
)
@click.option(
    "--appointments",
    is_flag=True,
    help="Play the day with appointments instead: trucks aim at their booked slots with realistic "
    "noise and no-shows while Haul re-plans live (server.bench.appointments).",
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False), default=None, help="Write the report here."
)
def docks_bench(trucks, dock_count, seed, time_limit, replan_limit, threads, bound_bucket, appointments,
                json_path):
    """Schedule a generated plant day and compare with first come, first served."""
    if appointments:
        report = appointments_report(trucks, dock_count, seed, time_limit=time_limit, replan_limit=replan_limit,
                                     threads=threads, bound_bucket=bound_bucket)
        _write(report, json_path)
        return
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
    bound = _bound(problem, baseline, bound_bucket) if bound_bucket > 0 else None
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
        "baselines": BASELINES,
        "haul": _summary(result),
        "fcfs": _summary(baseline),
        "fcfs_strict": _summary(strict),
        "waiting_ratio_vs_fcfs": _ratio(result.objective.total_waiting, fcfs_waiting),
        "waiting_ratio_vs_fcfs_strict": _ratio(result.objective.total_waiting, strict.objective.total_waiting),
        "cost_ratio_vs_fcfs": _ratio(result.objective.cost, baseline.objective.cost),
        "late_trucks_vs_fcfs": [result.objective.late_trucks, baseline.objective.late_trucks],
        "lower_bound": bound,
        "solve_seconds": result.seconds,
        "replan": replanned,
    }
    _write(report, json_path)


def _write(report: dict, json_path: str | None) -> None:
    text = json.dumps(report, indent=2)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    click.echo(text)
