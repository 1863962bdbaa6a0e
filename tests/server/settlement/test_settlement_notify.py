"""Issue 18: a dispute that cites a load's evidence tells the carrier (the other party), linking the load."""

import pytest

from tests.server.settlement.settlement_factory import agreement_body, delivered_load


@pytest.fixture
def parties(trade, make_party, client):
    carrier = make_party("carrier")
    r = client.post("/api/v1/rate-agreements", headers=trade["seller"].headers, json=agreement_body(trade, carrier.id))
    assert r.status_code == 201, r.get_json()
    return {**trade, "carrier": carrier}


def _post(client, party, path, body=None, status=200):
    r = client.post(path, headers=party.headers, json=body or {})
    assert r.status_code == status, (path, r.status_code, r.get_json())
    return r.get_json()


def _disputed_notes(client, party) -> list[dict]:
    return client.get("/api/v1/notifications?kind=evidence_disputed", headers=party.headers).get_json()["items"]


def _issued_bill(client, parties) -> tuple:
    carrier = parties["carrier"]
    load = delivered_load(parties, carrier.id)
    bill = _post(client, carrier, "/api/v1/freight-bills", {"load_id": load.id}, 201)
    client.patch(f"/api/v1/freight-bills/{bill['id']}/lines/1", headers=carrier.headers, json={"quantity": "25"})
    assert _post(client, carrier, f"/api/v1/freight-bills/{bill['id']}/issue")["status"] == "issued"
    return load, bill


def test_evidence_cited_by_a_dispute_is_told_to_the_carrier_only(client, parties, make_party):
    """The payer disputes a line citing the weigh ticket: the carrier hears which item, the payer and others do not."""
    load, bill = _issued_bill(client, parties)
    dispute = _post(client, parties["seller"], f"/api/v1/freight-bills/{bill['id']}/disputes", {
        "line_no": 1, "reason": "The ticket says 24.05 t", "claimed_amount": "721.50", "evidence": [{"seq": 2}]}, 201)
    (note,) = _disputed_notes(client, parties["carrier"])
    assert note["url"] == f"/loads/{load.id}" and note["title"] == f"Evidence disputed on {load.reference}"
    assert note["data"] == {"load_id": load.id, "reference": load.reference, "bill_id": bill["id"],
                            "dispute_id": dispute["id"], "evidence_seqs": [2]}
    zh = client.get("/api/v1/notifications?kind=evidence_disputed&lang=zh_CN",
                    headers=parties["carrier"].headers).get_json()["items"][0]
    assert zh["title"] == f"{load.reference} 的证据被提出异议"
    for party in (parties["seller"], parties["buyer"], make_party("carrier")):
        assert _disputed_notes(client, party) == []


def test_a_dispute_without_evidence_tells_no_evidence_dispute(client, parties):
    """Only a dispute that cites evidence items is an evidence dispute; the bill dispute itself is still told."""
    _, bill = _issued_bill(client, parties)
    _post(client, parties["seller"], f"/api/v1/freight-bills/{bill['id']}/disputes", {
        "line_no": 1, "reason": "Too much", "claimed_amount": "721.50"}, 201)
    assert _disputed_notes(client, parties["carrier"]) == []
    kinds = client.get("/api/v1/notifications", headers=parties["carrier"].headers).get_json()["items"]
    assert "bill_disputed" in {n["kind"] for n in kinds}
