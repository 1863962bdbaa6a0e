"""`haul bench docks --appointments`: the report's keys, and how its sums are made."""

import json

from click.testing import CliRunner

from server.bench.appointments.day_state import TruckDay
from server.bench.appointments.report import _rows, _totals, percentile
from server.cli import main


def test_percentile_is_nearest_rank():
    """p95 of twenty values is the nineteenth; no values, no percentile."""
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile([0.3], 0.95) == 0.3
    assert percentile([], 0.95) is None


def test_totals_split_a_trucks_delay_into_off_site_and_on_site_and_charge_never_loaded_until_closing():
    """Delay is (time asked at the gate - requested) + (start - gate-in); a truck never loaded waits until closing."""
    rows = [(100, 130, 130, 125, 135, 160), (100, 100, 100, 110, None, None)]
    totals = _totals(rows, horizon=200)
    assert totals["onsite_waiting_min"] == 10 + 90
    assert totals["total_delay_min"] == (30 + 10) + (0 + 90)
    assert totals["dock_start_delay_min"] == 35 + 100
    assert totals["unloaded"] == 1 and totals["busy_min"] == 25


def test_minutes_a_driver_is_asked_to_come_ahead_of_the_slot_count_once():
    """Asked for 08:00, booked at 10:00 and asked to be at the gate ten minutes ahead, a punctual driver
    loaded at 10:00 has lost two hours, not two hours and ten minutes (the older slot-start sum counted
    09:50-10:00 off site and on site); asked ahead of its own requested time, nothing counts off site."""
    asked_ahead = _rows([TruckDay("A", "on_time", 480, 600, 590, 600, 640)], ahead_min=10)
    assert asked_ahead == [(480, 590, 600, 590, 600, 640)]
    totals = _totals(asked_ahead, horizon=1440)
    assert totals["asked_time_delay_min"] == 120 == totals["dock_start_delay_min"]
    assert totals["total_delay_min"] == 130
    at_request = _totals(_rows([TruckDay("B", "on_time", 480, 480, 470, 480, 520)], ahead_min=10), horizon=1440)
    assert at_request["asked_time_delay_min"] == 10 and at_request["onsite_waiting_min"] == 10


def test_bench_docks_appointments_reports_both_days_and_the_lower_bound(tmp_path):
    """The command writes every figure the issue asks for; ratios are Haul's sums over first come first served."""
    out = tmp_path / "appointments.json"
    result = CliRunner().invoke(main, ["bench", "docks", "--trucks", "40", "--docks", "4", "--seed", "3",
                                       "--time-limit", "1", "--replan-limit", "0.2", "--bound-bucket", "5",
                                       "--appointments", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    for key in ("onsite_waiting_ratio_vs_fcfs", "total_delay_ratio_vs_fcfs", "no_shows", "late_arrivals",
                "replan_p95_s", "dock_utilisation", "solve_s"):
        assert report[key] is not None, key
    haul, fcfs = report["appointments"], report["fcfs"]
    assert report["onsite_waiting_ratio_vs_fcfs"] == round(haul["onsite_waiting_min"] / fcfs["onsite_waiting_min"], 4)
    assert report["total_delay_ratio_vs_fcfs"] == round(haul["total_delay_min"] / fcfs["total_delay_min"], 4)
    assert fcfs["total_delay_min"] == fcfs["onsite_waiting_min"] == fcfs["dock_start_delay_min"]
    assert 0 < report["dock_utilisation"] < 1
    bound = report["lower_bound"]
    assert bound["bucket_min"] == 5 and 0 <= bound["total_delay_min"] <= fcfs["total_delay_min"]
