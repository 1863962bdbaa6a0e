"""Bad input is refused with 422 and field paths, and counted; a confirmed statement never changes."""

import pytest

from tests.server.settlement.settlement_factory import agreement_body, delivered_load


@pytest.fixture
def parties(trade, make_party, client):
    carrier = make_party("carrier")
    r = client.post("/api/v1/rate-agreements", headers=trade["seller"].headers, json=agreement_body(trade, carrier.id))
    assert r.status_code == 201
    return {**trade, "carrier": carrier}


def _paths(response) -> list[str]:
    assert response.status_code == 422, response.get_json()
    return [e["path"] for e in response.get_json()["errors"]]


def test_overlapping_agreement_is_refused(client, parties):
    """A second agreement on the same lane and overlapping dates names the lane; a later period is fine."""
    seller, carrier = parties["seller"], parties["carrier"]
    again = client.post("/api/v1/rate-agreements", headers=seller.headers,
                        json=agreement_body(parties, carrier.id, reference="RA-2", valid_from="2026-06-01"))
    assert "lane" in _paths(again)
    later = client.post("/api/v1/rate-agreements", headers=seller.headers,
                        json=agreement_body(parties, carrier.id, reference="RA-3", valid_from="2027-01-01",
                                            valid_to="2027-12-31"))
    assert later.status_code == 201


@pytest.mark.parametrize("field, value, path", [
    ("rate", "30.00001", "rate"), ("rate", 30.5, "rate"), ("minimum", "10.005", "minimum"),
    ("minimum", "-1", "minimum"), ("currency", "EURO", "currency"), ("currency", "XXX", "currency"),
    ("accessorials", {"detention_rate": "45.123"}, "accessorials/detention_rate"),
])
def test_bad_agreement_amounts_and_currencies(client, parties, field, value, path):
    """Too many decimals, floats, negatives and unknown currencies are 422 with the field's path."""
    body = agreement_body(parties, parties["carrier"].id, reference="RA-X", valid_from="2028-01-01",
                          valid_to="2028-12-31", **{field: value})
    assert path in _paths(client.post("/api/v1/rate-agreements", headers=parties["seller"].headers, json=body))


def test_bill_for_an_undelivered_load_is_refused(client, parties):
    """A load still in transit cannot be billed: 422 on load_id."""
    load = delivered_load(parties, parties["carrier"].id, status="in_transit")
    r = client.post("/api/v1/freight-bills", headers=parties["carrier"].headers, json={"load_id": load.id})
    assert _paths(r) == ["load_id"] and r.get_json()["code"] == "load_not_delivered"


def test_bad_line_edits_and_disputes_and_payments(client, parties):
    """Negative quantities, a dispute without a line, a payment in another currency are 422 with paths."""
    carrier, seller = parties["carrier"], parties["seller"]
    load = delivered_load(parties, carrier.id)
    bill = client.post("/api/v1/freight-bills", headers=carrier.headers, json={"load_id": load.id}).get_json()
    url = f"/api/v1/freight-bills/{bill['id']}"
    assert _paths(client.patch(f"{url}/lines/1", headers=carrier.headers, json={"quantity": "-1"})) == ["quantity"]
    assert _paths(client.patch(f"{url}/lines/1", headers=carrier.headers, json={"unit_price": "1.23456"})) == [
        "unit_price"]
    client.post(f"{url}/lines", headers=carrier.headers, json={"code": "tolls", "quantity": "1", "unit_price": "50"})
    issued = client.post(f"{url}/issue", headers=carrier.headers).get_json()
    assert issued["audit"]["findings"][-1]["reason"] == "not_provable"
    assert "line_no" in _paths(client.post(f"{url}/disputes", headers=seller.headers,
                                           json={"reason": "no", "claimed_amount": "0"}))
    assert _paths(client.post(f"{url}/disputes", headers=seller.headers,
                              json={"line_no": 9, "reason": "no", "claimed_amount": "0"})) == ["line_no"]
    assert _paths(client.post(f"{url}/disputes", headers=seller.headers,
                              json={"line_no": 1, "reason": "no", "claimed_amount": "1.001"})) == ["claimed_amount"]
    assert _paths(client.post(f"{url}/disputes", headers=seller.headers, json={
        "line_no": 1, "reason": "no", "claimed_amount": "1.00", "evidence": [{"seq": 99}]})) == ["evidence/0/seq"]
    client.post(f"{url}/approve", headers=seller.headers, json={})
    assert "currency" in _paths(client.post(f"{url}/payments", headers=seller.headers,
                                            json={"amount": "1.00", "currency": "USD", "reference": "P"}))
    assert _paths(client.post(f"{url}/payments", headers=seller.headers,
                              json={"amount": "1.001", "currency": "EUR", "reference": "P"})) == ["amount"]


def test_issued_bill_lines_cannot_change(client, parties):
    """Once issued, a line edit is a 409: the payer disputes instead."""
    carrier = parties["carrier"]
    load = delivered_load(parties, carrier.id)
    bill = client.post("/api/v1/freight-bills", headers=carrier.headers, json={"load_id": load.id}).get_json()
    client.post(f"/api/v1/freight-bills/{bill['id']}/issue", headers=carrier.headers)
    r = client.patch(f"/api/v1/freight-bills/{bill['id']}/lines/1", headers=carrier.headers, json={"quantity": "1"})
    assert r.status_code == 409


def test_second_bill_for_a_load_is_refused(client, parties):
    """A load is billed once: the second draft is a 409."""
    load = delivered_load(parties, parties["carrier"].id)
    headers = parties["carrier"].headers
    assert client.post("/api/v1/freight-bills", headers=headers, json={"load_id": load.id}).status_code == 201
    assert client.post("/api/v1/freight-bills", headers=headers, json={"load_id": load.id}).status_code == 409


def test_payer_cannot_draft_and_stranger_sees_nothing(client, parties, make_party):
    """The payer does not draft a carrier's bill (403); another carrier gets 404 on the load and bill."""
    load = delivered_load(parties, parties["carrier"].id)
    assert client.post("/api/v1/freight-bills", headers=parties["seller"].headers,
                       json={"load_id": load.id}).status_code == 403
    bill = client.post("/api/v1/freight-bills", headers=parties["carrier"].headers, json={"load_id": load.id}).get_json()
    stranger = make_party("carrier")
    assert client.get(f"/api/v1/freight-bills/{bill['id']}", headers=stranger.headers).status_code == 404
    assert client.get(f"/api/v1/freight-bills/{bill['id']}", headers=parties["seller"].headers).status_code == 404
