"""A role held in a department acts on its department's orders, loads, tenders, docks and evidence, not another's."""

import copy

import pytest

from server import clock
from server.extensions import db
from server.models import Load
from tests.server.access.access_factory import member
from tests.server.market.market_factory import tender_body
from tests.server.yard.yard_factory import MONDAY, add_user, make_load, make_plant


def _department(client, admin, name):
    r = client.post("/api/v1/departments", headers=admin.headers, json={"name": name})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _assign(client, admin, department_id, user_id, roles):
    r = client.put(f"/api/v1/departments/{department_id}/roles", headers=admin.headers,
                   json={"user_id": user_id, "roles": roles})
    assert r.status_code == 200, r.get_json()


def _refused(r, permission):
    return r.status_code == 403 and r.get_json()["permission"] == permission


def _order(client, trade, party, reference, department_id):
    body = {**copy.deepcopy(trade["order"]), "reference": reference, "department_id": department_id}
    return client.post("/api/v1/orders", headers=party.headers, json=body)


def _build(client, party, order_id):
    preview = client.post("/api/v1/load-plans", headers=party.headers, json={"order_ids": [order_id], "time_limit_s": 2})
    if preview.status_code != 201:
        return preview, []
    committed = client.post(f"/api/v1/load-plans/{preview.get_json()['id']}/commit", headers=party.headers)
    return committed, committed.get_json().get("load_ids", [])


def test_a_department_dispatcher_orders_builds_and_tenders_in_its_department_only(client, trade):
    """dispatcher held in Steel: orders, load plans and tenders of Steel work; Paper's, or none, are 403 naming each."""
    seller = trade["seller"]
    steel, paper = _department(client, seller, "Steel"), _department(client, seller, "Paper")
    desk = member(seller, ["viewer"], name="steel-desk")
    _assign(client, seller, steel, desk.user.id, ["dispatcher"])
    assert _refused(_order(client, trade, desk, "NONE", None), "create_orders")
    assert _refused(_order(client, trade, desk, "PAPER", paper), "create_orders")
    foreign = _department(client, trade["buyer"], "Theirs")
    r = _order(client, trade, desk, "FOREIGN", foreign)
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "department_id"
    made = _order(client, trade, desk, "STEEL", steel)
    assert made.status_code == 201, made.get_json()
    committed, load_ids = _build(client, desk, made.get_json()["id"])
    assert committed.status_code == 201, committed.get_json()
    assert {db.session.get(Load, i).seller_department_id for i in load_ids} == {steel}  # the load is Steel's
    paper_order = _order(client, trade, seller, "PAPER", paper).get_json()["id"]
    preview = client.post("/api/v1/load-plans", headers=desk.headers, json={"order_ids": [paper_order]})
    assert _refused(preview, "build_loads")
    _committed, paper_loads = _build(client, seller, paper_order)
    r = client.post(f"/api/v1/loads/{paper_loads[0]}/tenders", headers=desk.headers, json=tender_body("grab"))
    assert _refused(r, "open_tenders")
    r = client.post(f"/api/v1/loads/{load_ids[0]}/tenders", headers=desk.headers, json=tender_body("grab"))
    assert r.status_code == 201, r.get_json()
    assert client.post(f"/api/v1/tenders/{r.get_json()['id']}/cancel", headers=desk.headers).status_code == 200
    assert _refused(client.post("/api/v1/orders/import", headers=desk.headers), "create_orders")  # org-wide only


@pytest.fixture
def plant(ctx, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    return make_plant()


def test_a_department_dock_manager_runs_its_departments_site_only(client, plant):
    """dock_manager held in the plant's department: docks and evidence there; another department's site is 403."""
    admin = plant.seller
    west, east = _department(client, admin, "West works"), _department(client, admin, "East works")
    r = client.post(f"/api/v1/departments/{west}/objects", headers=admin.headers,
                    json={"object_type": "site", "object_id": plant.site.id})
    assert r.status_code == 204
    other = client.post("/api/v1/sites", headers=admin.headers,
                        json={"name": "East plant", "location": {"lat": 51.0, "lon": 7.0}}).get_json()
    client.post(f"/api/v1/departments/{east}/objects", headers=admin.headers,
                json={"object_type": "site", "object_id": other["id"]})
    keeper = add_user(admin.org_id, "seller", roles=("viewer",))
    _assign(client, admin, west, keeper.user_id, ["dock_manager"])
    dock = {"name": "D9", "equipment": "pallet_dock"}
    assert client.post(f"/api/v1/sites/{plant.site.id}/docks", headers=keeper.headers, json=dock).status_code == 201
    assert _refused(client.post(f"/api/v1/sites/{other['id']}/docks", headers=keeper.headers, json=dock),
                    "manage_docks")
    load = make_load(plant)
    r = client.post(f"/api/v1/loads/{load.id}/evidence", headers=keeper.headers,
                    json={"kind": "seal", "payload": {"seal_number": "S-1"}})
    assert r.status_code == 201, r.get_json()
    _assign(client, admin, west, keeper.user_id, [])
    r = client.post(f"/api/v1/loads/{load.id}/evidence", headers=keeper.headers,
                    json={"kind": "seal", "payload": {"seal_number": "S-2"}})
    assert _refused(r, "record_evidence")
