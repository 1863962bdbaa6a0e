"""The audit trail: recorded in the change's transaction, append-only, searched and exported per organisation."""

import pytest

from server.audit import trail
from server.extensions import db
from server.models import AuditEvent


def _event(org_id, user_id=None, object_id=7, **extra):
    row = trail.record("freight_bill.issued", "freight_bill", object_id, organisation_id=org_id,
                       before={"status": "draft"}, after={"status": "issued", "total": "12.30"}, **extra)
    row.user_id = user_id
    return row


def test_record_rolls_back_with_the_change(ctx, make_party):
    """An event added with a change that is rolled back is gone with it."""
    party = make_party("carrier")
    _event(party.id)
    db.session.rollback()
    assert db.session.query(AuditEvent).count() == 0
    _event(party.id)
    db.session.commit()
    assert db.session.query(AuditEvent).count() == 1


def test_events_cannot_be_changed_or_deleted(ctx, make_party):
    """Updating or deleting a stored event through the ORM is refused."""
    party = make_party("carrier")
    row = _event(party.id)
    db.session.commit()
    row.action = "something.else"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, row.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()


def test_admins_search_by_object_and_user_of_their_own_organisation(client, make_party):
    """Admins find events they made or are a counterparty to, filtered by object and user; others see none."""
    carrier, payer, stranger = make_party("carrier"), make_party("seller"), make_party("seller")
    _event(carrier.id, carrier.user.id, counterparty_org_id=payer.id)
    _event(carrier.id, carrier.user.id, object_id=8)
    _event(stranger.id, stranger.user.id, object_id=7)
    db.session.commit()
    mine = client.get("/api/v1/audit?object_type=freight_bill&object_id=7", headers=carrier.headers).get_json()
    assert [e["organisation_id"] for e in mine["items"]] == [carrier.id]
    assert mine["items"][0]["after"] == {"status": "issued", "total": "12.30"}
    theirs = client.get("/api/v1/audit", headers=payer.headers).get_json()
    assert theirs["total"] == 1 and theirs["items"][0]["counterparty_org_id"] == payer.id
    by_user = client.get(f"/api/v1/audit?user_id={carrier.user.id}", headers=carrier.headers).get_json()
    assert by_user["total"] == 2
    assert client.get(f"/api/v1/audit?user_id={carrier.user.id}", headers=stranger.headers).get_json()["total"] == 0


def test_non_admins_are_refused(client, make_party):
    """A dispatcher without the admin role gets 403."""
    viewer = make_party("carrier", roles=("dispatcher",))
    assert client.get("/api/v1/audit", headers=viewer.headers).status_code == 403


def test_csv_export_has_the_documented_columns(client, make_party):
    """The CSV export starts with the documented header and has one row per event."""
    carrier = make_party("carrier")
    _event(carrier.id, carrier.user.id)
    db.session.commit()
    r = client.get("/api/v1/audit/export.csv?object_type=freight_bill", headers=carrier.headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    lines = r.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("id,at,organisation_id,counterparty_org_id,user_id,token_id,via,action")
    assert len(lines) == 2 and "freight_bill.issued" in lines[1]


def test_request_id_and_token_are_recorded(client, make_party, ctx):
    """Inside a request the caller's X-Request-Id and bearer token id are stored with the event."""
    from server.auth.principal import resolve_principal

    carrier = make_party("carrier")
    with ctx.test_request_context(headers={"X-Request-Id": "erp-42", **carrier.headers}):
        principal = resolve_principal()
        row = trail.record("x.y", "thing", 1, principal=principal)
        db.session.commit()
        assert row.request_id == "erp-42" and row.token_id is not None and row.via == "token"
