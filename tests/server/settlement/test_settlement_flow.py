"""A load from agreement to confirmed statement through the API: bill, audit, dispute, credit note, payment."""

import io

import pytest

from server.extensions import db
from server.models import AuditEvent
from tests.server.settlement.settlement_factory import agreement_body, delivered_load


@pytest.fixture
def parties(trade, make_party, client):
    carrier = make_party("carrier")
    r = client.post("/api/v1/rate-agreements", headers=trade["seller"].headers, json=agreement_body(trade, carrier.id))
    assert r.status_code == 201, r.get_json()
    return {**trade, "carrier": carrier, "agreement": r.get_json()}


def _post(client, party, path, body=None, status=200):
    r = client.post(path, headers=party.headers, json=body or {})
    assert r.status_code == status, (path, r.status_code, r.get_json())
    return r.get_json()


def test_bill_lines_are_computed_from_the_facts_and_cite_them(client, parties):
    """The draft carries per-tonne freight on the third-party ticket and detention citing the gate steps, with VAT."""
    load = delivered_load(parties, parties["carrier"].id)
    bill = _post(client, parties["carrier"], "/api/v1/freight-bills", {"load_id": load.id}, 201)
    assert [(x["code"], x["quantity"], x["amount"]) for x in bill["lines"]] == [
        ("linehaul", "24.05", "721.50"), ("detention_pickup", "2", "90.00")]
    ticket = [e for e in bill["lines"][0]["evidence"] if e.get("kind") == "weigh_ticket"]
    assert ticket[0]["seq"] == 2 and len(ticket[0]["hash"]) == 64
    gate = [(e["type"], e["status"]) for e in bill["lines"][1]["evidence"]]
    assert gate == [("yard_visit_step", "arrived"), ("yard_visit_step", "departed")]
    assert (bill["net"], bill["tax"], bill["total"]) == ("811.50", "154.19", "965.69")
    assert bill["taxes"] == [{"rate_pct": "19", "base": "811.50", "amount": "154.19"}]


def test_bill_within_tolerance_is_approved_by_the_audit(client, parties):
    """A bill as Haul computed it is approved automatically when issued, and both parties are told."""
    load = delivered_load(parties, parties["carrier"].id)
    bill = _post(client, parties["carrier"], "/api/v1/freight-bills", {"load_id": load.id}, 201)
    issued = _post(client, parties["carrier"], f"/api/v1/freight-bills/{bill['id']}/issue")
    assert issued["status"] == "approved" and issued["audit"]["outcome"] == "auto_approved"
    kinds = client.get("/api/v1/notifications", headers=parties["seller"].headers).get_json()["items"]
    assert {"bill_issued", "bill_approved"} <= {n["kind"] for n in kinds}


def test_dispute_credit_note_payment_and_statement(client, parties):
    """Over-billed weight: audit flags it, the approver disputes citing the ticket, a credit note settles it,
    the payment closes the bill and the statement both sides confirm balances to zero."""
    carrier, seller = parties["carrier"], parties["seller"]
    load = delivered_load(parties, carrier.id)
    bill = _post(client, carrier, "/api/v1/freight-bills", {"load_id": load.id}, 201)
    r = client.patch(f"/api/v1/freight-bills/{bill['id']}/lines/1", headers=carrier.headers, json={"quantity": "25"})
    assert r.status_code == 200 and r.get_json()["lines"][0]["amount"] == "750.00"
    issued = _post(client, carrier, f"/api/v1/freight-bills/{bill['id']}/issue")
    assert issued["status"] == "issued" and issued["audit"]["outcome"] == "needs_approval"
    assert issued["audit"]["findings"][0]["reason"] == "differs"
    assert issued["audit"]["approvers"] == [seller.user.id]
    dispute = _post(client, seller, f"/api/v1/freight-bills/{bill['id']}/disputes", {
        "line_no": 1, "reason": "The third-party ticket says 24.05 t", "claimed_amount": "721.50",
        "evidence": [{"seq": 2}]}, 201)
    assert dispute["evidence"][0]["kind"] == "weigh_ticket" and len(dispute["evidence"][0]["hash"]) == 64
    _post(client, carrier, f"/api/v1/disputes/{dispute['id']}/comments", {"text": "Checking"}, 201)
    resolved = _post(client, carrier, f"/api/v1/disputes/{dispute['id']}/resolve", {"outcome": "accept"})
    assert resolved["status"] == "accepted" and resolved["credit_note_id"]
    bill = client.get(f"/api/v1/freight-bills/{bill['id']}", headers=seller.headers).get_json()
    assert bill["status"] == "issued" and bill["credit_notes"][0]["total"] == "33.92"  # 28.50 + 19 % VAT
    _post(client, seller, f"/api/v1/freight-bills/{bill['id']}/approve", {"note": "ok after credit"})
    too_much = client.post(f"/api/v1/freight-bills/{bill['id']}/payments", headers=seller.headers,
                           json={"amount": "1000.00", "currency": "EUR", "reference": "PAY-1"})
    assert too_much.status_code == 422 and too_much.get_json()["errors"][0]["path"] == "amount"
    paid = _post(client, seller, f"/api/v1/freight-bills/{bill['id']}/payments",
                 {"amount": "965.68", "currency": "EUR", "reference": "PAY-1", "paid_on": "2026-11-30"}, 201)
    assert paid["amount"] == "965.68"
    assert client.get(f"/api/v1/freight-bills/{bill['id']}", headers=seller.headers).get_json()["status"] == "paid"

    statement = _post(client, seller, "/api/v1/statements", {"counterparty_id": carrier.id, "currency": "EUR",
                                                             "period_start": "2026-01-01", "period_end": "2030-12-31"}, 201)
    assert (statement["invoiced"], statement["credited"], statement["paid"]) == ("999.60", "33.92", "965.68")
    assert statement["closing_balance"] == "0.00" and statement["documents"] == 3
    _post(client, seller, f"/api/v1/statements/{statement['id']}/confirm")
    confirmed = _post(client, carrier, f"/api/v1/statements/{statement['id']}/confirm")
    assert confirmed["status"] == "confirmed"
    again = client.post(f"/api/v1/statements/{statement['id']}/differences", headers=carrier.headers,
                        json={"text": "late"})
    assert again.status_code == 409
    actions = {row.action for row in db.session.query(AuditEvent)}
    assert {"freight_bill.issued", "freight_dispute.opened", "freight_dispute.resolved", "freight_bill.approved",
            "freight_bill.payment_recorded", "freight_statement.confirmed"} <= actions


def test_statement_exports_csv_and_chinese_pdf(client, parties):
    """The CSV follows the documented layout; the Chinese PDF opens and its text extracts as Chinese."""
    from pypdf import PdfReader

    carrier, seller = parties["carrier"], parties["seller"]
    load = delivered_load(parties, carrier.id)
    bill = _post(client, carrier, "/api/v1/freight-bills", {"load_id": load.id}, 201)
    _post(client, carrier, f"/api/v1/freight-bills/{bill['id']}/issue")
    statement = _post(client, carrier, "/api/v1/statements", {"counterparty_id": seller.id, "currency": "EUR",
                                                              "period_start": "2026-01-01", "period_end": "2030-12-31"}, 201)
    csv = client.get(f"/api/v1/statements/{statement['id']}/export.csv", headers=seller.headers).get_data(as_text=True)
    rows = [line.split(",") for line in csv.strip().splitlines()]
    assert rows[0][:5] == ["statement_id", "period_start", "period_end", "currency", "row_type"]
    assert [r[4] for r in rows[1:]] == ["opening", "invoice", "closing"] and rows[-1][-1] == "965.69"
    r = client.get(f"/api/v1/statements/{statement['id']}/statement.pdf?lang=zh", headers=seller.headers)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "运费对账单" in text and "期末余额" in text and "965.69" in text


def test_load_money_for_payer_and_carrier_only(client, parties):
    """The load's money lists the expected lines with their facts and the issued bill; the buyer (not paying) gets 403."""
    load = delivered_load(parties, parties["carrier"].id)
    bill = _post(client, parties["carrier"], "/api/v1/freight-bills", {"load_id": load.id}, 201)
    seller_view = client.get(f"/api/v1/loads/{load.id}/money", headers=parties["seller"].headers).get_json()
    assert [x["code"] for x in seller_view["expected"]] == ["linehaul", "detention_pickup"]
    assert seller_view["expected_net"] == "811.50" and seller_view["bills"] == []  # the draft is the carrier's
    _post(client, parties["carrier"], f"/api/v1/freight-bills/{bill['id']}/issue")
    seller_view = client.get(f"/api/v1/loads/{load.id}/money", headers=parties["seller"].headers).get_json()
    assert [b["number"] for b in seller_view["bills"]] == [bill["number"]]
    assert client.get(f"/api/v1/loads/{load.id}/money", headers=parties["buyer"].headers).status_code == 403


def test_a_custom_role_holding_approve_is_told_as_a_bill_approver(client, parties):
    """The payer's approvers are whoever holds ``approve`` (was: only users with the built-in admin role)."""
    from tests.server.access.access_factory import custom_role, member

    carrier, seller = parties["carrier"], parties["seller"]
    custom_role(client, seller, "ap_clerk", ["approve", "view_finances"])
    clerk = member(seller, ["ap_clerk"], name="clerk")
    member(seller, ["dispatcher"], name="desk")
    load = delivered_load(parties, carrier.id)
    bill = _post(client, carrier, "/api/v1/freight-bills", {"load_id": load.id}, 201)
    client.patch(f"/api/v1/freight-bills/{bill['id']}/lines/1", headers=carrier.headers, json={"quantity": "25"})
    issued = _post(client, carrier, f"/api/v1/freight-bills/{bill['id']}/issue")
    assert issued["audit"]["approvers"] == [seller.user.id, clerk.user.id]
