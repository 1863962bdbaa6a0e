"""A pickup authorization above the buyer's rule awaits approval; nothing downstream proceeds until approved."""

from server.extensions import db
from server.market.pickup import token_for
from server.models import PickupAuthorization
from tests.server.access.access_factory import member
from tests.server.approvals.approval_factory import assigned_load, purchasing


def _authorize(client, a, party):
    return client.post(f"/api/v1/loads/{a['load_id']}/pickup-authorizations", headers=party.headers, json={})


def _stored_token(ctx, authorization_id):
    return token_for(db.session.get(PickupAuthorization, authorization_id), ctx.config["SECRET_KEY"])


def _checkin(client, a, token):
    return client.post("/api/v1/yard/checkin", headers=a["board"].seller.headers,
                       json={"load_id": a["load_id"], "token": token, "plate": a["truck"].plate})


def test_gate_refuses_until_the_manager_approves(ctx, client, make_party):
    """Pending: the load not authorized and the gate refuses the driver's QR; after approval the same QR passes."""
    a = assigned_load(client, make_party)
    p = purchasing(client, a["board"].buyer)
    r = _authorize(client, a, p["requester"])
    assert r.status_code == 201, r.get_json()
    auth = r.get_json()
    assert auth["approval_status"] == "pending" and auth["token"]
    load = client.get(f"/api/v1/loads/{a['load_id']}", headers=a["board"].buyer.headers).get_json()
    assert load["status"] == "assigned" and load["awaiting_approval"] == ["pickup_authorization"]
    seen_by_carrier = client.get(f"/api/v1/loads/{a['load_id']}", headers=a["carrier"].headers).get_json()
    assert seen_by_carrier["awaiting_approval"] == ["pickup_authorization"]
    refused = _checkin(client, a, auth["token"])
    assert refused.status_code == 403 and refused.get_json()["reason"] == "awaiting_approval"
    approved = client.post(f"/api/v1/approvals/{auth['approval_id']}/approve", headers=p["manager"].headers, json={})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    after = client.get(f"/api/v1/pickup-authorizations/{auth['id']}", headers=a["board"].buyer.headers).get_json()
    assert after["approval_status"] == "approved" and after["token"] == auth["token"]
    assert _checkin(client, a, auth["token"]).status_code == 200
    load = client.get(f"/api/v1/loads/{a['load_id']}", headers=a["board"].buyer.headers).get_json()
    assert load["awaiting_approval"] == []


def test_the_requester_cannot_approve_and_a_non_approver_is_refused(client, make_party):
    """The requester gets 403 (requester); an admin outside the level's role 403 (not_an_approver); a viewer 403 naming approve."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    p = purchasing(client, buyer)
    auth = _authorize(client, a, p["requester"]).get_json()
    url = f"/api/v1/approvals/{auth['approval_id']}/approve"
    r = client.post(url, headers=p["requester"].headers, json={})
    assert r.status_code == 403 and r.get_json()["reason"] == "requester"
    r = client.post(url, headers=buyer.headers, json={})
    assert r.status_code == 403 and r.get_json()["reason"] == "not_an_approver"
    viewer = member(buyer, ["viewer"])
    r = client.post(url, headers=viewer.headers, json={})
    assert r.status_code == 403 and r.get_json()["permission"] == "approve"


def test_a_manager_who_requests_cannot_approve_their_own(client, make_party):
    """Holding the approver's role does not let the requester approve their own authorization."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    p = purchasing(client, buyer)
    both = member(buyer, ["purchasing_manager", "dispatcher"], name="both")
    auth = _authorize(client, a, both).get_json()
    r = client.post(f"/api/v1/approvals/{auth['approval_id']}/approve", headers=both.headers, json={})
    assert r.status_code == 403 and r.get_json()["reason"] == "requester"
    assert client.post(f"/api/v1/approvals/{auth['approval_id']}/approve", headers=p["manager"].headers,
                       json={}).status_code == 200


def test_below_the_threshold_no_approval_is_needed(client, make_party):
    """A 20 t load under a 25 t rule is authorized at once, as before."""
    a = assigned_load(client, make_party)
    p = purchasing(client, a["board"].buyer, threshold=25)
    auth = _authorize(client, a, p["requester"]).get_json()
    assert auth["approval_status"] is None and auth["token"] and auth["approval_id"] is None


def test_sequential_levels_need_two_people_and_a_delegate_stands_in(client, make_party):
    """Level 1 any purchasing manager, level 2 the finance lead; the manager cannot pass both; the lead's delegate can."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    lead = member(buyer, ["purchasing_manager"], name="lead")
    p = purchasing(client, buyer, levels=[{"mode": "any", "role": "purchasing_manager"},
                                          {"mode": "all", "user_ids": [lead.user.id]}])
    auth = _authorize(client, a, p["requester"]).get_json()
    url = f"/api/v1/approvals/{auth['approval_id']}/approve"
    first = client.post(url, headers=p["manager"].headers, json={"comment": "budget ok"})
    assert first.get_json()["status"] == "pending" and first.get_json()["level"] == 1
    again = client.post(url, headers=p["manager"].headers, json={})
    assert again.status_code == 403 and again.get_json()["reason"] == "second_person"
    deputy = member(buyer, ["viewer"], name="deputy")
    r = client.post("/api/v1/approval-delegations", headers=lead.headers,
                    json={"to_user_id": deputy.user.id, "ends_at": "2099-01-01T00:00:00+00:00"})
    assert r.status_code == 201, r.get_json()
    done = client.post(url, headers=deputy.headers, json={})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["status"] == "approved"
    assert [(h["level"], h["on_behalf_of_user_id"]) for h in body["history"]] == [(0, None), (1, lead.user.id)]


def test_a_rejection_keeps_the_gate_closed(ctx, client, make_party):
    """A rejected authorization is withdrawn (no token, no QR) and refused at the gate for good (approval_rejected)."""
    a = assigned_load(client, make_party)
    p = purchasing(client, a["board"].buyer)
    auth = _authorize(client, a, p["requester"]).get_json()
    r = client.post(f"/api/v1/approvals/{auth['approval_id']}/reject", headers=p["manager"].headers,
                    json={"comment": "over budget"})
    assert r.get_json()["status"] == "rejected"
    after = client.get(f"/api/v1/pickup-authorizations/{auth['id']}", headers=a["board"].buyer.headers).get_json()
    assert after["token"] is None and after["qr_png_url"] is None
    refused = _checkin(client, a, _stored_token(ctx, auth["id"]))
    assert refused.status_code == 403 and refused.get_json()["reason"] == "approval_rejected"
    r = client.post(f"/api/v1/approvals/{auth['approval_id']}/approve", headers=p["manager"].headers, json={})
    assert r.status_code == 409


def test_each_step_is_in_the_audit_trail(client, make_party):
    """Request, decision and the authorization itself are audit events the buyer's admin finds by user and object."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    p = purchasing(client, buyer)
    auth = _authorize(client, a, p["requester"]).get_json()
    client.post(f"/api/v1/approvals/{auth['approval_id']}/approve", headers=p["manager"].headers, json={})
    trail = client.get(f"/api/v1/audit?object_type=approval&object_id={auth['approval_id']}",
                       headers=buyer.headers).get_json()["items"]
    assert [e["action"] for e in trail] == ["approval.requested", "approval.approved"]
    assert trail[1]["user_id"] == p["manager"].user.id
    mine = client.get(f"/api/v1/audit?user_id={p['requester'].user.id}", headers=buyer.headers).get_json()["items"]
    assert {"pickup_authorization.issued", "approval.requested"} <= {e["action"] for e in mine}
    csv = client.get("/api/v1/audit/export.csv?object_type=approval", headers=buyer.headers)
    assert csv.status_code == 200 and csv.data.decode().count("approval.") == 2


def test_rules_are_validated_with_field_paths(client, make_party):
    """An 'all' level without users, or a user of another organisation, is a 422 naming the level's field."""
    buyer, other = make_party("buyer", roles=("admin",)), make_party("buyer", roles=("admin",))
    body = {"name": "r", "action": "authorize_pickup", "metric": "tonnage", "threshold": 1,
            "levels": [{"mode": "all"}]}
    r = client.post("/api/v1/approval-rules", headers=buyer.headers, json=body)
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "levels/0/user_ids"
    body["levels"] = [{"mode": "any", "user_ids": [other.user.id]}]
    r = client.post("/api/v1/approval-rules", headers=buyer.headers, json=body)
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "levels/0/user_ids/0"
