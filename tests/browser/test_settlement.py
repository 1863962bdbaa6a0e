"""Settlement in Chromium: a load waits at the gate, the carrier bills detention citing the gate steps, the
payer's audit flags a charge, the approver disputes it citing the weigh ticket, the carrier accepts a credit
note, both sides confirm the statement, and its Chinese PDF carries Chinese text."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal

from playwright.sync_api import expect

DETENTION = {"free_minutes_pickup": 0, "detention_period_minutes": 1, "detention_rate": "45.00"}


def _agree(api, load: dict) -> None:
    """The seller's agreement with the carrier for this lane: detention from the first minute on site."""
    carrier_id = api.call("carrier", "GET", "/api/v1/auth/me")["organisation_id"]
    year = datetime.now(UTC).year
    body = {"reference": f"RA-{load['id']}", "carrier_id": carrier_id, "currency": "EUR",
            "lane": {"origin_site_id": load["pickup_site_id"], "destination_site_id": load["delivery_site_id"]},
            "valid_from": f"{year}-01-01", "valid_to": f"{year}-12-31", "basis": "trip", "rate": "850.00",
            "accessorials": DETENTION, "tax_rate_pct": "19", "tolerance_pct": "2"}
    agreements = api.call("seller", "GET", "/api/v1/rate-agreements")["items"]
    if not any(a["lane"]["destination_site_id"] == load["delivery_site_id"] and a["active"] for a in agreements):
        api.call("seller", "POST", "/api/v1/rate-agreements", body)


def _deliver_after_waiting(api, load: dict) -> None:
    """Gate-in, dock, two weigh tickets (the plant's and a third party's), gate-out, proof of delivery."""
    plant = api.plant()
    grant = api.call("buyer", "POST", f"/api/v1/loads/{load['id']}/pickup-authorizations", {})
    visit = api.call("seller", "POST", "/api/v1/yard/checkin", {"load_id": load["id"], "token": grant["token"],
                                                         "plate": grant["plate"]})  # the plate read at the gate
    api.call("seller", "POST", f"/api/v1/yard/visits/{visit['id']}/call", {"dock_id": plant["docks"][0]["id"]})
    api.call("seller", "POST", f"/api/v1/yard/visits/{visit['id']}/transition", {"to": "loading"})
    for payload in ({"tare_kg": 14000, "gross_kg": 34100},
                    {"tare_kg": 14000, "gross_kg": 34050, "third_party": True, "agency": "SGS Duisburg"}):
        api.call("seller", "POST", f"/api/v1/loads/{load['id']}/evidence", {"kind": "weigh_ticket", "payload": payload})
    for step in ("loaded", "departed"):
        api.call("seller", "POST", f"/api/v1/yard/visits/{visit['id']}/transition", {"to": step})
    api.call("carrier", "POST", f"/api/v1/loads/{load['id']}/pod", {"signed_by": "K. Becker", "received_quantity": 20})


def test_detention_bill_dispute_credit_note_and_confirmed_statement(open_as, api, screenshots):
    """The whole settlement of one load through the pages, both sides, English and Chinese."""
    load = api.assigned_load()
    _agree(api, load)
    _deliver_after_waiting(api, load)

    carrier = open_as("carrier", "/settlement")
    row = carrier.locator("tr", has_text=load["reference"])
    with carrier.expect_navigation():
        row.get_by_role("button", name="Draft the bill").click()
    carrier.get_by_role("link", name=f"FB-{load['id']}").click()
    lines = carrier.locator("#bill-lines")
    detention = lines.locator("tr", has_text="Detention at pickup")
    expect(detention).to_contain_text("gate waiting in the yard")  # cites the gate-in step...
    expect(detention).to_contain_text("gate departed")  # ...and the gate-out
    expect(lines.locator("tr", has_text="Freight")).to_contain_text("900.00")  # the awarded price
    form = carrier.locator("#add-line-form")
    form.get_by_label("Charge code").fill("overweight")
    form.get_by_label("Description").fill("Overweight handling: 21 t loaded")
    form.get_by_label("Unit price").fill("120.00")
    with carrier.expect_navigation():
        form.get_by_role("button", name="Add a line").click()
    with carrier.expect_navigation():
        carrier.get_by_role("button", name="Issue the bill").click()
    expect(carrier.locator("#audit-outcome")).to_contain_text("needs an approver")
    carrier.screenshot(path=str(screenshots / "settlement-carrier-bill-en.png"), full_page=True)
    bill = api.call("carrier", "GET", f"/api/v1/freight-bills?load_id={load['id']}")["items"][0]

    payer = open_as("seller", "/settlement?lang=zh_CN")
    expect(payer.locator("#queue-h")).to_contain_text("审核队列")
    payer.screenshot(path=str(screenshots / "settlement-payer-queue-zh.png"), full_page=True)
    payer.goto(f"/settlement/bills/{bill['id']}?lang=en")
    expect(payer.locator("#audit-findings")).to_contain_text("no recorded fact supports it")
    dispute = payer.locator("#dispute-form")
    dispute.get_by_label(re.compile(r"^Line")).select_option("3")
    dispute.get_by_label("What the line is worth").fill("0.00")
    dispute.get_by_label("Reason").fill("The third-party ticket shows 20.05 t, within the order")
    dispute.get_by_label(re.compile("third party")).check()
    with payer.expect_navigation():
        dispute.get_by_role("button", name="Dispute", exact=True).click()
    expect(payer.locator("#bill-status")).to_have_text("disputed")
    expect(payer.locator(".dispute")).to_contain_text("Weigh-bridge ticket #2")

    carrier.reload()
    resolve = carrier.locator(".dispute form[id^=resolve]")
    resolve.get_by_label("Answer").select_option("accept")
    with carrier.expect_navigation():
        resolve.get_by_role("button", name="Resolve").click()
    expect(carrier.locator(".dispute")).to_contain_text("accepted")
    credit = api.call("carrier", "GET", f"/api/v1/freight-bills/{bill['id']}")["credit_notes"][0]
    assert credit["total"] == "142.80"  # 120.00 + 19 % VAT

    payer.reload()
    with payer.expect_navigation():
        payer.get_by_role("button", name="Approve").click()
    expect(payer.locator("#bill-status")).to_have_text("approved")
    today = datetime.now(UTC).date().isoformat()
    payer.goto("/settlement")
    form = payer.locator("#statement-form")
    form.get_by_label("Currency").fill("EUR")
    form.get_by_label("From").fill(today)
    form.get_by_label("To").fill(today)
    with payer.expect_navigation():
        form.get_by_role("button", name="Draw up a statement").click()
    payer.locator("a", has_text=re.compile(r"^Statement \d+$")).first.click()
    statement_id = int(payer.url.rsplit("/", 1)[1].split("?")[0])
    with payer.expect_navigation():
        payer.get_by_role("button", name="Confirm for our side").click()

    carrier.goto(f"/settlement/statements/{statement_id}")
    with carrier.expect_navigation():
        carrier.get_by_role("button", name="Confirm for our side").click()
    expect(carrier.locator("#statement-status")).to_have_text("confirmed by both sides")
    statement = api.call("carrier", "GET", f"/api/v1/statements/{statement_id}")
    invoice = api.call("carrier", "GET", f"/api/v1/freight-bills/{bill['id']}")
    mine = [x for x in statement["lines"] if x["number"] in (invoice["number"], credit["number"])]
    assert [x["amount"] for x in mine] == [invoice["total"], f"-{credit['total']}"]
    balance = Decimal(statement["opening_balance"]) + sum(Decimal(x["amount"]) for x in statement["lines"])
    assert str(balance) == statement["closing_balance"]
    expect(carrier.locator("#closing-balance")).to_contain_text(statement["closing_balance"])
    carrier.screenshot(path=str(screenshots / "settlement-statement-en.png"), full_page=True)
    carrier.goto(f"/settlement/statements/{statement_id}?lang=zh_CN")
    expect(carrier.locator("#statement-status")).to_have_text("双方已确认")
    carrier.screenshot(path=str(screenshots / "settlement-statement-zh.png"), full_page=True)

    from pypdf import PdfReader

    pdf = carrier.request.get(f"/api/v1/statements/{statement_id}/statement.pdf?lang=zh")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "运费对账单" in text and "期末余额" in text and "双方已确认" in text
    assert statement["closing_balance"] in text and invoice["number"] in text
    _picture(pdf.body(), screenshots / "settlement-statement-pdf-zh")


def _picture(pdf: bytes, stem) -> None:
    """The PDF's first page as a PNG beside the screenshots (pdftoppm from poppler-utils)."""
    import shutil
    import subprocess

    if shutil.which("pdftoppm") is None:
        return
    subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", "-", str(stem)],
                   input=pdf, check=True, timeout=60)
