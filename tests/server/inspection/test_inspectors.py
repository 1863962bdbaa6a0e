"""Independent inspectors: appointed per load, see only those loads, record evidence both parties see as independent."""

from tests.server.access.access_factory import member
from tests.server.approvals.approval_factory import assigned_load


def _appoint(client, party, load_id, inspector):
    return client.post(f"/api/v1/loads/{load_id}/inspectors", headers=party.headers,
                       json={"inspector_org_id": inspector.id})


def _ticket(client, inspector, load_id):
    return client.post(f"/api/v1/loads/{load_id}/evidence", headers=inspector.headers,
                       json={"kind": "weigh_ticket", "payload": {"tare_kg": 14000, "gross_kg": 34000}})


def test_an_inspector_sees_only_loads_it_is_appointed_to(client, make_party):
    """Before appointment (and on any other load) the inspector gets 404; once appointed, the load and its evidence."""
    a = assigned_load(client, make_party)
    inspector = make_party("inspector", roles=("admin",), name="SGS Weighing")
    url = f"/api/v1/loads/{a['load_id']}"
    assert client.get(url, headers=inspector.headers).status_code == 404
    assert _ticket(client, inspector, a["load_id"]).status_code == 404
    assert client.get("/api/v1/loads", headers=inspector.headers).get_json()["items"] == []
    assert _appoint(client, a["board"].buyer, a["load_id"], inspector).status_code == 201
    assert client.get(url, headers=inspector.headers).status_code == 200
    assert [x["id"] for x in client.get("/api/v1/loads", headers=inspector.headers).get_json()["items"]] == [a["load_id"]]
    other = a["board"].load(reference="NOT-APPOINTED")
    assert client.get(f"/api/v1/loads/{other.id}", headers=inspector.headers).status_code == 404
    for path in ("/api/v1/orders", "/api/v1/tenders", "/api/v1/awards", "/api/v1/pickup-authorizations"):
        r = client.get(path, headers=inspector.headers)
        assert r.status_code in (200, 403) and not (r.get_json() or {}).get("items"), path


def test_inspector_evidence_is_marked_independent_for_both_parties(client, make_party):
    """The weigh ticket carries the inspector's organisation in its hashed author; seller and buyer see it as independent."""
    a = assigned_load(client, make_party)
    inspector = make_party("inspector", roles=("admin",), name="SGS Weighing")
    _appoint(client, a["board"].seller, a["load_id"], inspector)
    r = _ticket(client, inspector, a["load_id"])
    assert r.status_code == 201, r.get_json()
    item = r.get_json()["items"][0]
    assert item["independent"] is True and item["author_id"].endswith(f"@inspector:{inspector.id}")
    for party in (a["board"].seller, a["board"].buyer):
        bundle = client.get(f"/api/v1/loads/{a['load_id']}/evidence", headers=party.headers).get_json()
        [seen] = bundle["items"]
        assert seen["independent"] and seen["inspector_name"] == "SGS Weighing"
        assert bundle["verification"]["ok"] is True


def test_withdrawing_ends_the_inspectors_view(client, make_party):
    """After the appointing party withdraws, the inspector gets 404 again; the other party cannot withdraw it."""
    a = assigned_load(client, make_party)
    inspector = make_party("inspector", roles=("admin",))
    appointment = _appoint(client, a["board"].buyer, a["load_id"], inspector).get_json()
    url = f"/api/v1/inspection-appointments/{appointment['id']}"
    assert client.delete(url, headers=a["board"].seller.headers).status_code == 403
    assert client.delete(url, headers=a["board"].buyer.headers).status_code == 204
    assert client.get(f"/api/v1/loads/{a['load_id']}", headers=inspector.headers).status_code == 404


def test_only_parties_appoint_and_only_inspectors_are_appointed(client, make_party):
    """A carrier cannot appoint (403 for its kind); a carrier is no inspector (422 with the field)."""
    a = assigned_load(client, make_party)
    r = _appoint(client, a["carrier"], a["load_id"], make_party("inspector"))
    assert r.status_code == 403
    r = _appoint(client, a["board"].buyer, a["load_id"], a["carrier"])
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "inspector_org_id"
    viewer = member(a["board"].buyer, ["viewer"])
    r = _appoint(client, viewer, a["load_id"], make_party("inspector"))
    assert r.status_code == 403 and r.get_json()["permission"] == "appoint_inspectors"


def test_appointment_and_evidence_are_audited(client, make_party):
    """The appointment and the inspector's ticket are audit events; the buyer's admin finds both."""
    a = assigned_load(client, make_party)
    inspector = make_party("inspector", roles=("admin",))
    _appoint(client, a["board"].buyer, a["load_id"], inspector)
    _ticket(client, inspector, a["load_id"])
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=a["board"].buyer.headers).get_json()["items"]]
    assert "inspection.appointed" in actions and "evidence.recorded" in actions
