"""``haul bench docks --appointments``: the generated day without and with Haul's appointments.

The baseline is today's plant: first come, first served (equipment-aware, ``fcfs``) with
every truck at the time it asked for. The no-shows of the appointment day stay away from the
baseline too, so both days load the same trucks and the baseline's docks are no busier.

Per truck that came (no-shows never wait, so they are left out of both sides and counted):

* on-site waiting: gate-in to dock start (without appointments: requested time to start);
* total delay, as issue 17 defines it: the slot it set out for minus its requested time, plus its
  on-site waiting (without appointments the slot is the requested time, so it equals the on-site
  waiting). With drivers asked to come some minutes ahead of their slot it counts those minutes
  twice (off site up to the slot, and on site), so ``asked_time_delay`` is reported beside it:
  the same with the off-site part ending when the driver was asked to be at the gate;
* dock-start delay: dock start minus requested time, the driver's own lateness included.

A truck never loaded waits until the docks close, on both sides.
"""

from __future__ import annotations

import math
import time

from server.bench.appointments.behaviour import LATE, NO_SHOW, ON_TIME, draw_behaviour
from server.bench.appointments.live_day import LiveRules, play_day
from server.engines.common import Limits
from server.engines.docks import build_problem, fcfs, lower_bound, solve, without_loads
from server.engines.docks.generator import plant_day


def _ratio(value: float, base: float) -> float | None:
    return round(value / base, 4) if base else None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def open_minutes(problem) -> int:
    """Minutes the docks can load over the day, breaks and closed hours left out."""
    span = problem.horizon - problem.day_start
    return sum(span - sum(end - start for start, end in closed) for closed in problem.closed)


def fcfs_side(problem, came: set[str]) -> dict:
    """Per truck that came, (requested, start, end) first come first served at the requested times."""
    result = fcfs(without_loads(problem, [load.id for load in problem.loads if load.id not in came]))
    booked = result.by_load()
    return {load.id: (load.arrival, booked[load.id].start if load.id in booked else None,
                      booked[load.id].end if load.id in booked else None)
            for load in problem.loads if load.id in came}


def _totals(rows, horizon: int) -> dict:
    """Sums over (requested, told, aim, gate_in, start, end) rows: ``told`` is when the truck was asked to
    be at the gate, ``aim`` the slot it set out for; never loaded waits until ``horizon``.

    ``total_delay_min`` (the issue's sum) runs the off-site part from the requested time to the slot,
    then on site from gate-in: with drivers asked to come ahead of their slot it counts the minutes
    between the time asked and the slot twice. ``asked_time_delay_min`` ends the off-site part when
    the truck was asked to be at the gate (never less than nothing).
    """
    onsite = delay = slot_delay = start_delay = busy = unloaded = 0
    for requested, told, aim, gate_in, start, end in rows:
        finish = horizon if start is None else start
        unloaded += start is None
        onsite += finish - gate_in
        delay += max(0, told - requested) + (finish - gate_in)
        slot_delay += (aim - requested) + (finish - gate_in)
        start_delay += finish - requested
        busy += 0 if start is None else end - start
    return {"onsite_waiting_min": onsite, "total_delay_min": slot_delay, "asked_time_delay_min": delay,
            "dock_start_delay_min": start_delay, "busy_min": busy, "unloaded": unloaded}


def _rows(trucks, ahead_min: int) -> list[tuple]:
    """(requested, told, aim, gate_in, start, end) of each truck that came; one booked nowhere came when
    it asked to."""
    return [(t.requested, t.requested if t.aim is None else t.aim - ahead_min,
             t.requested if t.aim is None else t.aim, t.gate_in, t.start, t.end) for t in trucks]


def appointments_report(trucks: int, dock_count: int, seed: int, *, time_limit: float, replan_limit: float,
                        threads: int, bound_bucket: int, on_progress=None) -> dict:
    """The report of one seeded day: both sides, their ratios and the re-plan times."""
    problem = build_problem(*plant_day(trucks, dock_count, seed))
    behaviour = draw_behaviour([load.id for load in problem.loads], seed)
    came = {load_id for load_id, b in behaviour.items() if b.kind != NO_SHOW}
    baseline = fcfs_side(problem, came)
    limits = Limits(time_limit_s=time_limit, seed=seed, threads=threads,
                    **({"on_progress": on_progress} if on_progress else {}))
    booked = solve(problem, limits)
    played = time.perf_counter()
    rules = LiveRules(replan_limit_s=replan_limit, seed=seed)
    day = play_day(problem, booked, behaviour, rules)
    played = time.perf_counter() - played

    horizon = problem.horizon
    fcfs_totals = _totals([(r, r, r, r, s, e) for r, s, e in baseline.values()], horizon)
    shown = [t for t in day.trucks if t.kind != NO_SHOW]
    haul_totals = _totals(_rows(shown, rules.ahead_min), horizon)
    by_kind = {kind: _totals(_rows([t for t in shown if t.kind == kind], rules.ahead_min), horizon)
               for kind in (ON_TIME, LATE)}
    capacity = open_minutes(problem)
    for totals in (fcfs_totals, haul_totals):
        totals["dock_utilisation"] = round(totals.pop("busy_min") / capacity, 4)
    late = [t for t in shown if t.kind == LATE]
    report = {
        "instance": {"trucks": trucks, "docks": dock_count, "seed": seed, "time_limit_s": time_limit,
                     "replan_limit_s": replan_limit, "threads": threads},
        "onsite_waiting_ratio_vs_fcfs": _ratio(haul_totals["onsite_waiting_min"], fcfs_totals["onsite_waiting_min"]),
        "total_delay_ratio_vs_fcfs": _ratio(haul_totals["total_delay_min"], fcfs_totals["total_delay_min"]),
        "asked_time_delay_ratio_vs_fcfs": _ratio(haul_totals["asked_time_delay_min"],
                                                 fcfs_totals["asked_time_delay_min"]),
        "dock_start_delay_ratio_vs_fcfs": _ratio(haul_totals["dock_start_delay_min"],
                                                 fcfs_totals["dock_start_delay_min"]),
        "no_shows": len(behaviour) - len(came),
        "late_arrivals": len(late),
        "late_arrivals_announced": sum(1 for t in late if behaviour[t.load_id].announced),
        "replan_p95_s": _round(percentile(day.replan_seconds, 0.95)),
        "dock_utilisation": haul_totals["dock_utilisation"],
        "solve_s": booked.seconds,
        "appointments": {**haul_totals, "replans": len(day.replan_seconds),
                         "replan_max_s": _round(max(day.replan_seconds, default=None)),
                         "appointments_moved": day.moves, "called_in_early": day.called_in_early,
                         "walk_ins": day.walk_ins, "walk_ins_sent_off_site": day.sent_off_site,
                         "grace_over": day.grace_over, "standby_calls": day.standby_calls,
                         "bumped": day.bumped, "late_released": day.released,
                         "no_trip_released": day.no_trip_released,
                         "booked_solve_status": booked.status, "day_seconds": round(played, 1),
                         "by_behaviour": {kind: {"trucks": sum(t.kind == kind for t in shown),
                                                 "onsite_waiting_min": part["onsite_waiting_min"],
                                                 "total_delay_min": part["total_delay_min"]}
                                          for kind, part in by_kind.items()}},
        "fcfs": fcfs_totals,
        "lower_bound": _bound(problem, came, bound_bucket, fcfs_totals) if bound_bucket > 0 else None,
    }
    return report


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _bound(problem, came: set[str], bucket: int, fcfs_totals: dict) -> dict:
    """Lower bound on the dock-start delay of the trucks that came, over every schedule with exact arrivals."""
    started = time.perf_counter()
    bound = lower_bound(without_loads(problem, [load.id for load in problem.loads if load.id not in came]), bucket)
    total = None if bound.total_waiting is None else round(bound.total_waiting)
    return {"bucket_min": bucket, "total_delay_min": total,
            "total_delay_ratio_vs_fcfs": None if total is None else _ratio(total, fcfs_totals["total_delay_min"]),
            "seconds": round(time.perf_counter() - started, 3)}
