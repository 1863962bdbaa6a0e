"""``haul bench loads``: the load builder on one-dimensional bin-packing instances.

Each instance becomes a load-building problem with one vehicle type (capacity = bin size,
cost 1) and one non-splittable single-unit line per item, and goes through the engine's own
``solve`` (which recognises it as one-dimensional and packs it with the arc-flow solver). The
packing is checked independently (every item once, no bin over capacity) and compared with
the optimum from ``--optima`` (or the value the file states).

Instance files are OR-Library ``binpack`` files (several instances each) or BPPLIB files (one
each), recognised automatically; a folder stands for the files in it.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
import time
from pathlib import Path

import click
from tqdm import tqdm

from server.bench.options import ManyValues
from server.engines.common import Limits
from server.engines.loadbuilding import LoadProblem, Order, OrderLine, VehicleType, solve
from server.engines.loadbuilding.formats import BinPackingInstance, read_instances

SKIP_SUFFIXES = {".csv", ".json", ".md"}


def instance_files(paths: list[Path]) -> list[Path]:
    """The files named, with each folder replaced by its files (sorted; tables and notes skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() not in SKIP_SUFFIXES)
        else:
            out.append(path)
    return out


def read_optima(path: Path | None) -> dict[str, int]:
    """Instance name -> optimal bins from a CSV with ``instance`` and ``best_known_bins`` columns."""
    if path is None:
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["instance"].strip().lower(): int(row["best_known_bins"]) for row in csv.DictReader(handle)}


def read_bounds(path: Path | None) -> dict[str, int]:
    """Instance name -> arc-flow LP bound (rounded up) from a CSV with ``instance`` and ``arcflow_lb``."""
    if path is None:
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["instance"].strip().lower(): int(row["arcflow_lb"]) for row in csv.DictReader(handle)}


def lookup_optimum(name: str, optima: dict[str, int]) -> int | None:
    """The optimum for ``name``, also trying it without leading ``Source_`` parts (BPPLIB stems)."""
    key = name.lower()
    while True:
        if key in optima:
            return optima[key]
        if "_" not in key:
            return None
        key = key.split("_", 1)[1]


def to_problem(instance: BinPackingInstance) -> LoadProblem:
    """Bin packing as load building: one vehicle type of cost 1, one single-unit line per item."""
    return LoadProblem(
        vehicle_types=(VehicleType("bin", float(instance.capacity), math.inf, math.inf, 1.0),),
        orders=(Order("items", "source", "sink"),),
        lines=tuple(OrderLine("items", str(i), 1, float(s), splittable=False) for i, s in enumerate(instance.sizes)),
    )


def check_packing(instance: BinPackingInstance, bins: list[list[int]]) -> list[str]:
    """Errors of a packing: items missing or repeated, bins over capacity."""
    errors = []
    seen = [i for b in bins for i in b]
    if sorted(seen) != list(range(len(instance.sizes))):
        errors.append("items missing or packed twice")
    for k, b in enumerate(bins):
        load = sum(instance.sizes[i] for i in b)
        if load > instance.capacity:
            errors.append(f"bin {k} holds {load} > {instance.capacity}")
    return errors


def run_instance(instance: BinPackingInstance, optimum: int | None, time_limit: float, seed: int,
                 bound: int | None = None) -> dict:
    """Pack one instance through the load builder and check it; the JSON record for it."""
    start = time.monotonic()
    plan = solve(to_problem(instance), Limits(time_limit_s=time_limit, seed=seed, threads=1))
    seconds = time.monotonic() - start
    bins = [[int(a.line_id) for a in load.allocations] for load in plan.loads]
    errors = check_packing(instance, bins) if not plan.unplaced else ["items larger than the bin"]
    return {
        "name": instance.name, "bins": len(bins), "optimum": optimum, "lower_bound": plan.lower_bound_trucks,
        "optimal": optimum is not None and not errors and len(bins) <= optimum,
        "below_reference": optimum is not None and not errors and len(bins) < optimum,
        "proven": plan.status == "optimal", "proven_optimal": plan.status == "optimal",
        "arcflow_bound": bound, "above_bound": None if bound is None or errors else len(bins) - bound,
        "seconds": round(seconds, 3), "within_promise": seconds <= time_limit + max(0.1 * time_limit, 0.5),
        "errors": errors, "bins_content": bins,
    }


@click.command("loads")
@click.option("--instances", "paths", cls=ManyValues, multiple=True, required=True,
              type=click.Path(exists=True, path_type=Path), help="Instance files or folders.")
@click.option("--optima", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with instance,best_known_bins columns.")
@click.option("--bounds", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with instance,arcflow_lb columns (e.g. waescher_lb.csv).")
@click.option("--time-limit", default=5.0, show_default=True, help="Seconds per instance.")
@click.option("--seed", default=0, show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write results here.")
def loads(paths: tuple[Path, ...], optima: Path | None, bounds: Path | None, time_limit: float, seed: int,
          json_out: Path | None) -> None:
    """Bin packing through the load builder: bins, optimum, lower bound and time per instance."""
    table = read_optima(optima)
    lp_bounds = read_bounds(bounds)
    instances = [inst for f in instance_files(list(paths)) for inst in read_instances(f)]
    results = []
    for instance in tqdm(instances, desc="loads", unit="instance"):
        optimum = lookup_optimum(instance.name, table)
        if optimum is None and instance.best_known:  # the value the file states, when it states one
            optimum = instance.best_known
        row = run_instance(instance, optimum, time_limit, seed, lookup_optimum(instance.name, lp_bounds))
        results.append(row)
        note = "optimal" if row["optimal"] else ("errors: " + "; ".join(row["errors"])) if row["errors"] else ""
        if row["below_reference"]:
            note = "below the reference optimum (checked packing)"
        if row["above_bound"] is not None:
            note += f" {'at' if row['above_bound'] <= 0 else '+' + str(row['above_bound'])} the arc-flow bound"
        if row["proven_optimal"]:
            note += ", proven optimal"
        tqdm.write(f"{row['name']:<24} bins {row['bins']:>4}  optimum {row['optimum']!s:>4}  "
                   f"lower bound {row['lower_bound']:>4}  {row['seconds']:6.2f} s  {note}")
    hit = sum(r["optimal"] for r in results)
    summary = {
        "count": len(results), "optimal": hit, "pct_optimal": round(100 * hit / len(results), 1) if results else 0.0,
        "below_reference": sum(r["below_reference"] for r in results),
        "proven": sum(r["proven"] for r in results),
        "mean_seconds": round(statistics.fmean(r["seconds"] for r in results), 3) if results else 0.0,
        "max_seconds": max((r["seconds"] for r in results), default=0.0),
        "slowest": max(results, key=lambda r: r["seconds"])["name"] if results else None,
        "over_promise": sum(not r["within_promise"] for r in results),
        "with_bound": sum(r["above_bound"] is not None for r in results),
        "at_bound": sum(r["above_bound"] is not None and r["above_bound"] <= 0 for r in results),
        "max_above_bound": max((r["above_bound"] for r in results if r["above_bound"] is not None), default=None),
        "time_limit_s": time_limit, "seed": seed,
    }
    click.echo(f"{summary['optimal']}/{summary['count']} optimal ({summary['pct_optimal']}%), "
               f"{summary['proven']} proven by the lower bound, {summary['below_reference']} below the reference, "
               f"{summary['at_bound']}/{summary['with_bound']} at the arc-flow bound (at most "
               f"{summary['max_above_bound']} above), mean {summary['mean_seconds']:.2f} s, max "
               f"{summary['max_seconds']:.2f} s ({summary['slowest']}), {summary['over_promise']} over the promise")
    if json_out is not None:
        json_out.write_text(json.dumps({"instances": results, "summary": summary}, indent=1), encoding="utf-8")
