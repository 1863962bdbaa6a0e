"""``haul bench routing``: the route optimiser on Solomon, VRPLIB, Li & Lim and Gehring & Homberger instances.

Each instance is solved within the time limit by each engine asked for (``--engine portfolio
pyvrp ortools``: the portfolio on ``--threads`` threads, a single engine on one), one after the
other on the same instance so that they share the machine's conditions. Every solution is
then checked by ``checker`` (which recomputes coverage, capacity, windows, precedence and
distance from the instance itself) and compared with the best-known solution from the
matching BKS column. Vehicles and distance are reported apart, with the wall-clock seconds of
the whole ``solve`` call against the time-limit promise (limit + 10 % or 0.5 s).
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from pathlib import Path

import click
from tqdm import tqdm

from server.bench.options import ManyValues
from server.engines.common import Limits, Progress
from server.engines.routing.checker import check_solution
from server.engines.routing.instances import Instance, generate_vrptw, to_problem
from server.engines.routing.readers import read_instance
from server.engines.routing.solver import solve


def bks_column(header: list[str], objective: str, rounding: str) -> tuple[str, str] | None:
    """(vehicles column, cost column) of a BKS table for this objective and rounding."""
    if "bks_cost" in header:  # CVRPLIB
        return "bks_routes", "bks_cost"
    if "pyvrp_dimacs_cost" in header:  # Solomon
        if objective == "hierarchical":
            return "hier_vehicles", "hier_distance"
        if rounding == "dimacs":
            return "pyvrp_dimacs_routes", "pyvrp_dimacs_cost"
        return "distonly_vehicles", "distonly_distance"
    if "dimacs_distance" in header:  # Gehring & Homberger: SINTEF hierarchical, DIMACS distance-only
        if objective == "hierarchical":
            return "hier_vehicles", "hier_distance"
        if rounding == "dimacs":
            return "dimacs_vehicles", "dimacs_distance"  # no vehicle column: that BKS gives none
        return None  # no exact-double distance-only BKS: a gap against either column would mislead
    if "hier_distance" in header:  # Li & Lim (hierarchical SINTEF BKS)
        return "hier_vehicles", "hier_distance"
    return None


def load_bks(paths: list[Path], objective: str, rounding: str) -> dict[str, tuple[int | None, float]]:
    """Instance name (case-insensitive) -> (BKS vehicles, BKS cost) from the given tables."""
    table: dict[str, tuple[int | None, float]] = {}
    for path in paths:
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            columns = bks_column(reader.fieldnames or [], objective, rounding)
            if columns is None:
                continue
            for row in reader:
                vehicles = row.get(columns[0]) or None
                table[row["instance"].lower()] = (int(vehicles) if vehicles else None, float(row[columns[1]]))
    return table


def _expand(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".vrp"))
        else:
            out.append(path)
    return list(dict.fromkeys(out))  # a file named twice (a set and --instances) is solved once


ENGINE_CHOICES = {"portfolio": "auto", "pyvrp": "pyvrp", "ortools": "ortools"}

# Instance sets shipped with the repository (the shared Solomon / Li & Lim sets live outside it).
SHIPPED_SETS = {"homberger200": Path(__file__).resolve().parent / "data" / "homberger200"}


def promise_s(time_limit: float) -> float:
    """The wall-clock promise of every engine on an idle machine: limit + 10 %, at least + 0.5 s."""
    return time_limit + max(0.1 * time_limit, 0.5)


def run_instance(instance: Instance, objective: str, rounding: str, seconds: float, seed: int,
                 bks: tuple[int | None, float] | None, engine: str = "portfolio", threads: int = 2) -> dict:
    """Solve and check one instance with one engine of the portfolio; the JSON record for it."""
    problem = to_problem(instance, rounding, objective)
    threads = threads if engine == "portfolio" else 1
    started, cpu_started = time.monotonic(), time.process_time()
    first_solution_s = []
    with tqdm(total=100, desc=instance.name, unit="%", leave=False, bar_format="{l_bar}{bar}| {postfix}") as bar:

        def progress(update: Progress) -> None:
            if update.fraction is not None:
                bar.n = round(100 * update.fraction)
            if update.best_objective is not None:
                if not first_solution_s:
                    first_solution_s.append(round(time.monotonic() - started, 2))
                bar.set_postfix_str(f"best {update.best_objective:.0f} ({update.message})", refresh=False)
            bar.refresh()

        result = solve(problem, Limits(time_limit_s=seconds, seed=seed, threads=threads, on_progress=progress),
                       engine=ENGINE_CHOICES[engine])
    wall = time.monotonic() - started
    # CPU time of this process only (a portfolio's PyVRP child is not counted); below wall time
    # when other work shares the CPU.
    cpu_seconds = time.process_time() - cpu_started
    routes = [[int(stop.stop_id) for stop in route.stops] for route in result.routes]
    report = check_solution(instance, routes, rounding)
    bks_vehicles, bks_cost = bks if bks else (None, None)
    gap = 100 * (report.cost - bks_cost) / bks_cost if bks_cost and report.feasible else None
    return {
        "name": instance.name,
        "engine": engine,
        "engine_used": result.engine,
        "vehicles": report.vehicles,
        "distance": round(report.cost, 4),
        "cost": round(report.cost, 4),
        "bks": bks_cost,
        "bks_vehicles": bks_vehicles,
        "gap_pct": None if gap is None else round(gap, 3) + 0.0,  # + 0.0: no "-0.00%" for a plan at the BKS
        "seconds": round(wall, 2),
        "within_promise": wall <= promise_s(seconds),
        "cpu_seconds": round(cpu_seconds, 2),
        "first_solution_s": first_solution_s[0] if first_solution_s else None,
        "feasible": report.feasible,
        "errors": list(report.errors[:5]),
        "dropped": len(result.dropped),
        "routes": routes,
    }


def summarise(records: list[dict]) -> dict:
    """Mean gap over instances with a BKS, feasible count, BKS vehicle count matches."""
    gaps = [r["gap_pct"] for r in records if r["gap_pct"] is not None]
    with_vehicles = [r for r in records if r["bks_vehicles"] is not None and r["feasible"]]
    # Under the hierarchical objective a distance gap means little when the vehicle counts differ.
    same = [r["gap_pct"] for r in records if r["gap_pct"] is not None and r["vehicles"] == r["bks_vehicles"]]
    return {
        "mean_gap_pct": round(statistics.fmean(gaps), 3) if gaps else None,
        "mean_gap_pct_same_vehicles": round(statistics.fmean(same), 3) if same else None,
        "worst_gap_pct": max(gaps) if gaps else None,
        "worst": max((r for r in records if r["gap_pct"] is not None), key=lambda r: r["gap_pct"])["name"]
        if gaps else None,
        "feasible": sum(1 for r in records if r["feasible"]),
        "count": len(records),
        "bks_vehicles_matched": sum(1 for r in with_vehicles if r["vehicles"] <= r["bks_vehicles"]),
        "with_bks_vehicles": sum(1 for r in records if r["bks_vehicles"] is not None),
        "at_bks": sum(1 for r in records if r["gap_pct"] is not None and r["gap_pct"] <= 0.005),
        "mean_vehicles": round(statistics.fmean(r["vehicles"] for r in records), 2) if records else None,
        "mean_distance": round(statistics.fmean(r["distance"] for r in records), 2) if records else None,
        "mean_seconds": round(statistics.fmean(r["seconds"] for r in records), 2) if records else None,
        "max_seconds": max((r["seconds"] for r in records), default=None),
        "slowest": max(records, key=lambda r: r["seconds"])["name"] if records else None,
        "over_promise": sum(1 for r in records if not r["within_promise"]),
    }


@click.command("routing")
@click.option("--instances", "instance_paths", cls=ManyValues, multiple=True, type=str, metavar="PATH...",
              help="Instance files or folders (Solomon .txt, VRPLIB CVRP/VRPTW .vrp, Li & Lim .txt).")
@click.option("--set", "instance_sets", multiple=True, type=click.Choice(sorted(SHIPPED_SETS)),
              help="A shipped instance set (with its BKS.csv), added to --instances; repeatable.")
@click.option("--bks", "bks_paths", cls=ManyValues, multiple=True, type=click.Path(exists=True), metavar="CSV...",
              help="BKS.csv tables (default: BKS.csv next to each instance).")
@click.option("--time-limit", type=float, default=10.0, show_default=True, help="Seconds per instance.")
@click.option("--objective", type=click.Choice(["distance", "hierarchical", "cost"]), default="distance",
              show_default=True)
@click.option("--engine", "engines", cls=ManyValues, multiple=True, type=click.Choice(list(ENGINE_CHOICES)),
              metavar="ENGINE...", help="portfolio (default), pyvrp, ortools; several run side by side.")
@click.option("--threads", type=int, default=2, show_default=True, help="Threads of the portfolio.")
@click.option("--rounding", type=click.Choice(["dimacs", "exact"]), default="dimacs", show_default=True,
              help="Edge lengths for Solomon / Li & Lim (CVRP always rounds to the nearest integer).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Write the results here.")
@click.option("--generate", type=int, default=0, help="Also solve a generated VRPTW with N stops.")
@click.option("--vehicles", type=int, default=50, show_default=True, help="Fleet of the generated VRPTW.")
@click.option("--seed", type=int, default=0, show_default=True)
def routing_bench(instance_paths, instance_sets, bks_paths, time_limit, objective, engines, threads, rounding, json_out,
                  generate, vehicles, seed) -> None:
    """Solve routing benchmark instances, check every solution and compare with the BKS."""
    paths = _expand(tuple(instance_paths) + tuple(str(SHIPPED_SETS[name]) for name in instance_sets))
    bks_files = [Path(p) for p in bks_paths] or sorted(
        {p.parent / "BKS.csv" for p in paths if (p.parent / "BKS.csv").exists()}
    )
    bks = load_bks(bks_files, objective, rounding)
    instances = [read_instance(path) for path in paths]
    if generate:
        instances.append(generate_vrptw(generate, vehicles, seed=seed))
    engines = list(dict.fromkeys(engines)) or ["portfolio"]
    records: dict[str, list[dict]] = {engine: [] for engine in engines}
    for instance in tqdm(instances, desc="instances", unit="inst"):
        for engine in engines:
            record = run_instance(instance, objective, rounding, time_limit, seed, bks.get(instance.name.lower()),
                                  engine, threads)
            records[engine].append(record)
            _print_record(record)
    summaries = {engine: summarise(records[engine]) for engine in engines}
    for engine, summary in summaries.items():
        mean_gap = "n/a" if summary["mean_gap_pct"] is None else f"{summary['mean_gap_pct']}%"
        click.echo(
            f"summary {engine}: {summary['count']} instances, {summary['feasible']} feasible, mean gap {mean_gap} "
            f"(worst {summary['worst_gap_pct']}%, {summary['worst']}), "
            f"at the BKS {summary['at_bks']}, BKS vehicle count reached on {summary['bks_vehicles_matched']} of "
            f"{summary['with_bks_vehicles']} (mean gap where vehicles equal the BKS: "
            f"{summary['mean_gap_pct_same_vehicles']}%), mean vehicles {summary['mean_vehicles']}, "
            f"mean distance {summary['mean_distance']}, slowest {summary['slowest']} {summary['max_seconds']} s "
            f"({summary['over_promise']} over the promise of {promise_s(time_limit):.2f} s)"
        )
    if json_out:
        first = engines[0]
        payload = {"objective": objective, "rounding": rounding, "time_limit_s": time_limit, "threads": threads,
                   "instances": records[first], "summary": summaries[first],
                   "engines": {engine: {"instances": records[engine], "summary": summaries[engine]}
                               for engine in engines}}
        Path(json_out).write_text(json.dumps(payload, indent=2))


def _print_record(record: dict) -> None:
    gap = "   n/a" if record["gap_pct"] is None else f"{record['gap_pct']:6.2f}%"
    tqdm.write(
        f"{record['name']:<14} {record['engine']:<9} ({record['engine_used']:<7}) vehicles {record['vehicles']:>3} "
        f"(bks {record['bks_vehicles'] or '-':>3})  distance {record['distance']:>10.2f}  bks {record['bks'] or '-':>9}  "
        f"gap {gap}  {record['seconds']:5.1f}s (cpu {record['cpu_seconds']:.1f}s, first plan "
        f"{record['first_solution_s']}s)  {'feasible' if record['feasible'] else 'INFEASIBLE'}"
        + ("" if record["feasible"] else f"  {record['errors'][:2]}")
    )
