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
