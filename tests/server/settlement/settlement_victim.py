"""The tenant matrix's settlement objects: an agreement, an issued bill with a dispute, and a statement."""

from __future__ import annotations

from tests.server.settlement.settlement_factory import agreement_body, delivered_load


def settlement_victim(client, trade, carrier) -> dict:
    seller = trade["seller"]
    agreement = client.post("/api/v1/rate-agreements", headers=seller.headers,
                            json=agreement_body(trade, carrier.id, reference="SECRET-RA")).get_json()
    load = delivered_load(trade, carrier.id, reference="SECRET-SETTLED")
    bill = client.post("/api/v1/freight-bills", headers=carrier.headers, json={"load_id": load.id}).get_json()
    client.patch(f"/api/v1/freight-bills/{bill['id']}/lines/1", headers=carrier.headers, json={"quantity": "30"})
    client.post(f"/api/v1/freight-bills/{bill['id']}/issue", headers=carrier.headers)
    dispute = client.post(f"/api/v1/freight-bills/{bill['id']}/disputes", headers=seller.headers, json={
        "line_no": 1, "reason": "SECRET reason", "claimed_amount": "1.00"}).get_json()
    statement = client.post("/api/v1/statements", headers=seller.headers, json={
        "counterparty_id": carrier.id, "currency": "EUR", "period_start": "2026-01-01",
        "period_end": "2026-12-31"}).get_json()
    return {"agreement_id": agreement["id"], "bill_id": bill["id"], "line_no": 1, "dispute_id": dispute["id"],
            "statement_id": statement["id"], "settled_load_id": load.id}
