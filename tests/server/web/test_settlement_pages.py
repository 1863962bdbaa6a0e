"""The settlement pages: each side sees its bills, queue, disputes and statements, in English and Chinese."""

import pytest

from tests.conftest import TEST_PASSWORD
from tests.server.settlement.settlement_factory import agreement_body, delivered_load


def _sign_in(client, party):
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": party.user.email, "password": TEST_PASSWORD, "csrf_token": token})


@pytest.fixture
def flagged(client, trade, make_party):
    """An issued bill over the tolerance, disputed on line 1 citing the third-party ticket."""
    carrier = make_party("carrier")
    client.post("/api/v1/rate-agreements", headers=trade["seller"].headers, json=agreement_body(trade, carrier.id))
    load = delivered_load(trade, carrier.id, reference="L-PAGE")
    bill = client.post("/api/v1/freight-bills", headers=carrier.headers, json={"load_id": load.id}).get_json()
    client.patch(f"/api/v1/freight-bills/{bill['id']}/lines/1", headers=carrier.headers, json={"quantity": "25"})
    client.post(f"/api/v1/freight-bills/{bill['id']}/issue", headers=carrier.headers)
    return {**trade, "carrier": carrier, "bill": bill, "load": load}


def test_payer_sees_the_audit_queue_and_the_bill_with_its_evidence(client, flagged):
    """The payer's settlement page lists the flagged bill; the bill page shows the gate steps and the dispute form."""
    _sign_in(client, flagged["seller"])
    page = client.get("/settlement").get_data(as_text=True)
    assert "Audit queue" in page and flagged["bill"]["number"] in page
    bill = client.get(f"/settlement/bills/{flagged['bill']['id']}").get_data(as_text=True)
    assert "needs an approver" in bill and "gate" in bill and "dispute-form" in bill and "Weigh-bridge ticket" in bill


def test_carrier_pages_in_chinese(client, flagged):
    """The carrier's settlement page and the load's money page speak Simplified Chinese."""
    _sign_in(client, flagged["carrier"])
    page = client.get("/settlement?lang=zh_CN").get_data(as_text=True)
    assert "结算" in page and flagged["bill"]["number"] in page
    money = client.get(f"/settlement/loads/{flagged['load'].id}").get_data(as_text=True)
    assert "运费" in money


def test_stranger_gets_404_for_a_bill_page(client, flagged, make_party):
    """Another carrier's user gets a 404 page for the bill."""
    _sign_in(client, make_party("carrier"))
    assert client.get(f"/settlement/bills/{flagged['bill']['id']}").status_code == 404


def test_money_pages_and_endpoints_need_view_finances(client, flagged):
    """A dock manager of the payer (no view_finances) gets 403 naming the permission from the bills, statements,
    disputes, agreements and load-money endpoints and from the settlement pages; the payer's admin does not."""
    from tests.server.access.access_factory import member

    dock = member(flagged["seller"], ["dock_manager"], name="dock")
    bill_id, load_id = flagged["bill"]["id"], flagged["load"].id
    for path in ("/api/v1/freight-bills", f"/api/v1/freight-bills/{bill_id}", f"/api/v1/loads/{load_id}/money",
                 "/api/v1/statements", "/api/v1/disputes", "/api/v1/rate-agreements"):
        r = client.get(path, headers=dock.headers)
        assert r.status_code == 403 and r.get_json()["permission"] == "view_finances", (path, r.status_code)
        assert client.get(path, headers=flagged["seller"].headers).status_code == 200, path
    _sign_in(client, dock)
    for path in ("/settlement", f"/settlement/bills/{bill_id}", f"/settlement/loads/{load_id}"):
        page = client.get(path)
        assert page.status_code == 403 and "view_finances" in page.get_data(as_text=True), path
