"""The bench commands run end to end on tiny instances and write the documented JSON."""

import json
from pathlib import Path

from click.testing import CliRunner

from server.cli import main

DATA = Path(__file__).parents[2] / "data"


def test_bench_loads_writes_instances_and_summary(tmp_path):
    """`haul bench loads` packs a tiny OR-Library file and reports bins, optimality and contents."""
    out = tmp_path / "loads.json"
    result = CliRunner().invoke(main, ["bench", "loads", "--instances", str(DATA / "loadbuilding" / "tiny_binpack1.txt"),
                                       "--time-limit", "2", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["instances"] and "summary" in report
    for instance in report["instances"]:
        assert {"name", "bins", "optimum", "optimal", "seconds", "bins_content"} <= set(instance)
        assert len(instance["bins_content"]) == instance["bins"]


def test_bench_docks_compares_with_fcfs(tmp_path):
    """`haul bench docks` on a small day reports Haul and first-come-first-served side by side."""
    out = tmp_path / "docks.json"
    result = CliRunner().invoke(main, ["bench", "docks", "--trucks", "12", "--docks", "3", "--seed", "1",
                                       "--time-limit", "2", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    text = json.dumps(report)
    assert "fcfs" in text.lower() and "wait" in text.lower()


def test_bench_commands_refuse_missing_files(tmp_path):
    """A missing instance file is a usage error with a message, not a traceback."""
    result = CliRunner().invoke(main, ["bench", "loads", "--instances", str(tmp_path / "nope.txt")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_bench_routing_runs_engines_side_by_side(tmp_path):
    """`haul bench routing --engine pyvrp ortools` checks each engine's plan and reports vehicles and distance apart."""
    out = tmp_path / "routing.json"
    result = CliRunner().invoke(main, ["bench", "routing", "--instances", str(DATA / "routing" / "solomon_tiny.txt"),
                                       "--time-limit", "1", "--engine", "pyvrp", "ortools", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert set(report["engines"]) == {"pyvrp", "ortools"}
    for engine, run in report["engines"].items():
        (record,) = run["instances"]
        assert record["engine_used"] == engine and record["feasible"]
        assert {"vehicles", "distance", "seconds", "within_promise"} <= set(record)
        assert {"mean_vehicles", "mean_distance", "max_seconds", "over_promise"} <= set(run["summary"])


def test_bench_loads_reports_the_arcflow_bound(tmp_path):
    """`haul bench loads --bounds` compares each packing with the arc-flow bound and says when it is proven."""
    bounds = tmp_path / "lb.csv"
    bounds.write_text("instance,capacity,n,arcflow_lb,lp\nwaescher_test0065,10000,60,15,14.9997\n")
    out = tmp_path / "loads.json"
    result = CliRunner().invoke(main, ["bench", "loads", "--instances", str(DATA / "loadbuilding" / "waescher_test0065.txt"),
                                       "--bounds", str(bounds), "--time-limit", "1", "--json", str(out)])
    assert result.exit_code == 0, result.output
    (record,) = json.loads(out.read_text())["instances"]
    assert record["arcflow_bound"] == 15 and record["above_bound"] in (0, 1)
    assert record["proven_optimal"] == (record["above_bound"] == 0)
