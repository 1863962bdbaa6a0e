"""`haul bench docks` names its two FCFS baselines and, on request, a lower bound no schedule beats."""

import json

from click.testing import CliRunner

from server.cli import main


def test_bench_docks_reports_both_baselines_and_a_lower_bound(tmp_path):
    """The ratios are Haul over each FCFS; the bound is at most every schedule's waiting and cost."""
    out = tmp_path / "docks.json"
    result = CliRunner().invoke(main, ["bench", "docks", "--trucks", "40", "--docks", "4", "--seed", "2",
                                       "--time-limit", "3", "--bound-bucket", "5", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert {"fcfs", "fcfs_strict", "waiting"} <= set(report["baselines"])
    haul, fcfs, strict, bound = report["haul"], report["fcfs"], report["fcfs_strict"], report["lower_bound"]
    assert strict["total_waiting_min"] >= fcfs["total_waiting_min"] > 0
    assert report["waiting_ratio_vs_fcfs"] == round(haul["total_waiting_min"] / fcfs["total_waiting_min"], 4)
    assert report["cost_ratio_vs_fcfs"] == round(haul["cost"] / fcfs["cost"], 4) <= 1
    assert report["late_trucks_vs_fcfs"] == [haul["late_trucks"], fcfs["late_trucks"]]
    assert bound["bucket_min"] == 5
    assert 0 < bound["total_waiting_min"] <= min(haul["total_waiting_min"], fcfs["total_waiting_min"])
    assert 0 < bound["cost"] <= min(haul["cost"], fcfs["cost"])
