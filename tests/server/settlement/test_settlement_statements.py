"""Statements balance: closing = opening + invoices - credit notes - payments, to the cent, whatever the documents."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from server.settlement.statements import summarise

AMOUNTS = st.decimals(min_value=0, max_value=1_000_000, places=2)
DOCUMENTS = st.lists(st.tuples(st.sampled_from(["invoice", "credit_note", "payment"]), AMOUNTS), max_size=60)


@given(st.decimals(min_value=-1_000_000, max_value=1_000_000, places=2), DOCUMENTS)
def test_every_statement_balances(opening, documents):
    """The closing balance is the opening plus the signed sum of the documents, and the totals add up."""
    summary = summarise(opening, documents)
    signed = sum((a if k == "invoice" else -a for k, a in documents), Decimal(0))
    assert summary.closing == opening + signed
    assert summary.closing == summary.opening + summary.invoiced - summary.credited - summary.paid
    assert summary.documents == len(documents)


def test_statement_of_many_loads_matches_its_documents(client, trade, make_party):
    """A stored statement's lines sum to its totals, and the next period opens at this one's closing balance."""
    from server.extensions import db
    from server.models import FreightBill, StatementLine
    from tests.server.settlement.settlement_factory import agreement_body, delivered_load

    carrier = make_party("carrier")
    client.post("/api/v1/rate-agreements", headers=trade["seller"].headers, json=agreement_body(trade, carrier.id))
    for k in range(3):
        load = delivered_load(trade, carrier.id, reference=f"L-{k}", gate_out_min=130 + 60 * k)
        bill = client.post("/api/v1/freight-bills", headers=carrier.headers, json={"load_id": load.id}).get_json()
        client.post(f"/api/v1/freight-bills/{bill['id']}/issue", headers=carrier.headers)
    first = client.post("/api/v1/statements", headers=carrier.headers, json={
        "counterparty_id": trade["seller"].id, "currency": "EUR", "period_start": "2026-01-01",
        "period_end": "2030-12-31"}).get_json()
    lines = db.session.query(StatementLine).filter_by(statement_id=first["id"]).all()
    assert sum(Decimal(x.amount) for x in lines) == Decimal(first["closing_balance"]) - Decimal(first["opening_balance"])
    assert Decimal(first["invoiced"]) == sum(Decimal(b.total) for b in db.session.query(FreightBill))
    later = client.post("/api/v1/statements", headers=carrier.headers, json={
        "counterparty_id": trade["seller"].id, "currency": "EUR", "period_start": "2031-01-01",
        "period_end": "2031-01-31"}).get_json()
    assert later["opening_balance"] == first["closing_balance"] and later["documents"] == 0
