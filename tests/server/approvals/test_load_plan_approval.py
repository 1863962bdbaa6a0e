"""A load plan over the seller's truck-count rule waits for the logistics lead before its loads can be tendered."""

import copy

from tests.server.access.access_factory import custom_role, member


def _plan(client, trade, quantity=40):
    """A previewed plan of 40 t on 24 t trucks: two loads."""
    body = copy.deepcopy(trade["order"])
    body["lines"][0]["quantity"] = quantity
    order_id = client.post("/api/v1/orders", headers=trade["seller"].headers, json=body).get_json()["id"]
    r = client.post("/api/v1/load-plans", headers=trade["seller"].headers,
                    json={"order_ids": [order_id], "time_limit_s": 2})
    assert r.status_code == 201, r.get_json()
    return order_id, r.get_json()["id"]


def _truck_rule(client, seller, threshold=1, role="logistics_lead"):
    return client.post("/api/v1/approval-rules", headers=seller.headers, json={
        "name": "Plans over 1 truck", "action": "commit_load_plan", "metric": "trucks", "threshold": threshold,
        "levels": [{"mode": "any", "role": role}]})


def _lead(client, seller):
    custom_role(client, seller, "logistics_lead", ["approve", "build_loads"])
    return member(seller, ["logistics_lead"], name="lead")


def _tender(client, seller, load_id):
    return client.post(f"/api/v1/loads/{load_id}/tenders", headers=seller.headers, json={"mode": "grab", "price": 900.0})


def test_a_plan_over_the_truck_count_waits_for_the_logistics_lead(client, trade):
    """Two trucks over a one-truck rule: the loads are awaiting approval and not tenderable until the lead
    (a custom role) approves; then they are drafts and tender."""
    seller = trade["seller"]
    lead = _lead(client, seller)
    assert _truck_rule(client, seller).status_code == 201
    order_id, plan_id = _plan(client, trade)
    committed = client.post(f"/api/v1/load-plans/{plan_id}/commit", headers=seller.headers)
    assert committed.status_code == 201, committed.get_json()
    load_ids, approval_id = committed.get_json()["load_ids"], committed.get_json()["approval_id"]
    assert len(load_ids) == 2 and approval_id
    for load_id in load_ids:
        load = client.get(f"/api/v1/loads/{load_id}", headers=seller.headers).get_json()
        assert load["status"] == "awaiting_approval" and load["awaiting_approval"] == ["load_plan"]
        held = _tender(client, seller, load_id)
        assert held.status_code == 409 and held.get_json()["reason"] == "awaiting_approval"
    request = client.get(f"/api/v1/approvals/{approval_id}", headers=seller.headers).get_json()
    assert request["object_type"] == "load_plan" and request["object_id"] == plan_id and request["measured"] == 2
    decided = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=lead.headers, json={})
    assert decided.status_code == 200 and decided.get_json()["status"] == "approved"
    for load_id in load_ids:
        assert client.get(f"/api/v1/loads/{load_id}", headers=seller.headers).get_json()["status"] == "draft"
    assert _tender(client, seller, load_ids[0]).status_code == 201


def test_a_rejected_plan_leaves_nothing_committed(client, trade):
    """Rejection cancels the plan's loads and gives the order back as it was; the lines can be planned again."""
    from server.extensions import db
    from server.models import Order

    seller = trade["seller"]
    lead = _lead(client, seller)
    _truck_rule(client, seller)
    order_id, plan_id = _plan(client, trade)
    committed = client.post(f"/api/v1/load-plans/{plan_id}/commit", headers=seller.headers).get_json()
    assert db.session.get(Order, order_id).status == "planned"
    r = client.post(f"/api/v1/approvals/{committed['approval_id']}/reject", headers=lead.headers, json={})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == "received"
    for load_id in committed["load_ids"]:
        assert client.get(f"/api/v1/loads/{load_id}", headers=seller.headers).get_json()["status"] == "cancelled"
    assert client.get(f"/api/v1/load-plans/{plan_id}", headers=seller.headers).get_json()["rejected_at"]
    assert client.post(f"/api/v1/load-plans/{plan_id}/commit", headers=seller.headers).status_code == 409
    again = client.post("/api/v1/load-plans", headers=seller.headers, json={"order_ids": [order_id], "time_limit_s": 1})
    assert again.status_code == 201


def test_a_plan_within_the_truck_count_commits_as_drafts(client, trade):
    """One truck under a one-truck rule (not over it): drafts at once, no request."""
    seller = trade["seller"]
    _lead(client, seller)
    _truck_rule(client, seller)
    _, plan_id = _plan(client, trade, quantity=10)
    committed = client.post(f"/api/v1/load-plans/{plan_id}/commit", headers=seller.headers).get_json()
    assert committed["approval_id"] is None
    [load_id] = committed["load_ids"]
    assert client.get(f"/api/v1/loads/{load_id}", headers=seller.headers).get_json()["status"] == "draft"


def test_rule_levels_name_known_roles_and_metrics_fit_the_action(client, trade):
    """An unknown role name is a 422 at levels/0/role; a truck count only measures load plans."""
    seller = trade["seller"]
    r = _truck_rule(client, seller, role="logistics_leed")
    assert r.status_code == 422
    assert any(e["path"] == "levels/0/role" for e in r.get_json()["errors"]), r.get_json()
    wrong = client.post("/api/v1/approval-rules", headers=seller.headers, json={
        "name": "x", "action": "award", "metric": "trucks", "threshold": 1, "levels": [{"role": "admin"}]})
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["path"] == "metric"
    assert _truck_rule(client, seller, role="dispatcher").status_code == 201
    rule_id = _truck_rule(client, seller, role="admin").get_json()["id"]
    patched = client.patch(f"/api/v1/approval-rules/{rule_id}", headers=seller.headers,
                           json={"levels": [{"role": "nobody"}]})
    assert patched.status_code == 422 and patched.get_json()["errors"][0]["path"] == "levels/0/role"
