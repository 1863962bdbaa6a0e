"""`haul bench settlement` runs end to end on PostgreSQL: every load billed, the statement balanced to the cent."""

import json
import os
import subprocess
import uuid

import pytest
from click.testing import CliRunner

from server.cli import main

pytestmark = pytest.mark.postgis
PG_BASE = os.environ.get("HAUL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


def test_bench_settlement_bills_every_load_and_balances(tmp_path):
    """300 loads: 300 bills approved by the audit, the statement equal to its documents to the cent."""
    name = f"haul_bench_settlement_t{uuid.uuid4().hex[:8]}"
    out = tmp_path / "settlement.json"
    try:
        result = CliRunner().invoke(main, ["bench", "settlement", "--loads", "300", "--processes", "2",
                                           "--database-url", f"{PG_BASE}/{name}", "--json", str(out)])
    finally:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["bills"] == report["approved"] == 300 and report["lines"] >= 600
    assert report["check"]["balanced_to_the_cent"] is True
    assert report["statement"]["documents"] == 300 + report["payments"]
    assert {"bills", "statement", "bills_and_statement"} <= set(report["seconds"])
