"""``haul approvals remind`` announces requests that wait too long, once per interval, with an audit event."""

from datetime import timedelta

from click.testing import CliRunner

from server import clock
from server.cli.approvals import approvals
from server.extensions import db
from server.models import Notification
from tests.server.approvals.approval_factory import assigned_load, purchasing


def test_overdue_requests_are_reminded_once_per_interval(ctx, client, make_party, monkeypatch):
    """Four hours on, the buyer gets an approval_reminder; run again at once, nothing more."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    p = purchasing(client, buyer)
    client.post(f"/api/v1/loads/{a['load_id']}/pickup-authorizations", headers=p["requester"].headers, json={})
    later = clock.now() + timedelta(hours=5)
    monkeypatch.setattr(clock, "now", lambda: later)
    first = CliRunner().invoke(approvals, ["remind", "--after-hours", "4"], obj=ctx)
    assert first.exit_code == 0 and "reminded 1" in first.output
    again = CliRunner().invoke(approvals, ["remind", "--after-hours", "4"], obj=ctx)
    assert "reminded 0" in again.output
    kinds = [n.kind for n in db.session.query(Notification).filter_by(organisation_id=buyer.id)]
    assert kinds.count("approval_reminder") == 1
    trail = client.get("/api/v1/audit?action=approval.reminded", headers=buyer.headers).get_json()
    assert trail["total"] == 1
