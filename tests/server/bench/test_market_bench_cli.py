"""`haul bench market` runs end to end on PostgreSQL and reports its documented fields."""

import json
import os
import subprocess
import uuid

import pytest
from click.testing import CliRunner

from server.bench.market import call_app
from server.cli import main

pytestmark = pytest.mark.postgis
PG_BASE = os.environ.get("HAUL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


def test_bench_market_reports_rates_latency_and_awards(tmp_path):
    """A tiny market: every field of the report is there, grabs race, and no load has two awards."""
    name = f"haul_bench_market_t{uuid.uuid4().hex[:8]}"
    out = tmp_path / "market.json"
    try:
        result = CliRunner().invoke(main, [
            "bench", "market", "--carriers", "20", "--loads", "6", "--concurrency", "4", "--processes", "1",
            "--bids", "40", "--grabbers", "3", "--database-url", f"{PG_BASE}/{name}", "--json", str(out)])
    finally:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["loads_with_more_than_one_award"] == 0
    assert "in-process WSGI" in report["transport"]
    for phase in ("bids", "grabs"):
        assert {"requests_per_s", "p50_ms", "p99_ms"} <= set(report[phase])
    assert report["bids"]["accepted"] == report["bids"]["requests"] > 0
    # 20% of each thread's bids warm the processes up and are reported apart
    warm = report["bids"]["warmup"]
    assert warm["requests"] > 0 and warm["accepted"] == warm["requests"]
    assert warm["requests"] < report["bids"]["requests"] and warm["p99_ms"] > 0
    assert report["grabs"]["won"] == report["grab_tenders"] == report["awarded_tenders"] - 0
    assert set(report["grabs"]["refusals"]) <= {"already_awarded", "offer_moved"}


def test_call_app_answers_status_latency_and_reason(app):
    """The bench's WSGI call sees the app's own answer: a 401 problem for a bad token, with its status."""
    status, ms, reason = call_app(app, "/api/v1/tenders/1/bids", "haul_nope", {"price": 1.0})
    assert status == 401 and ms > 0 and reason is None
