"""Inside a buyer's organisation, in Chromium: a department and a custom role made on the page, a pickup
authorization that waits for the purchasing manager's approval before the gate lets the truck in, an
independent inspector's weigh ticket both parties see, and each step in the audit trail (EN and 中文)."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

PASSWORD = "browser-test-pw-2026"


def _sign_in_as(open_as, email: str, path: str):
    page = open_as(None, "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(path)
    return page


def _person(api, roles) -> dict:
    email = f"{uuid.uuid4().hex[:8]}@hafen.demo"
    user = api.call("buyer2", "POST", "/api/v1/users", {"email": email, "name": f"Person {email[:4]}",
                                                        "password": PASSWORD, "roles": roles})
    return {**user, "email": email}


def _submit(page, form: str, button: str) -> None:
    """Send a form whose success reloads the page (data-then="reload"), and wait for the reload."""
    with page.expect_navigation():
        page.locator(f"#{form}").get_by_role("button", name=button).click()


def test_approval_gate_and_independent_inspector(open_as, api, screenshots):
    """Department, role and rule made on the page; the gate refuses until the approver approves; the
    inspector's ticket is marked independent for buyer and seller; the audit trail has every step."""
    admin = open_as("buyer2", "/organisation")
    admin.get_by_label("Department name").fill("Purchasing")
    _submit(admin, "department-form", "Add the department")
    expect(admin.get_by_role("list", name="Department tree")).to_contain_text("Purchasing")
    admin.get_by_label("Role name").fill("purchasing_manager")
    admin.locator('#role-form input[value="approve"]').check()
    _submit(admin, "role-form", "Create the role")
    expect(admin.locator('[data-role="purchasing_manager"]')).to_be_visible()

    requester, approver = _person(api, ["dispatcher"]), _person(api, ["viewer"])
    admin.reload()
    approver_form = admin.locator(f"#user-{approver['id']}")
    approver_form.locator('input[value="purchasing_manager"]').check()
    _submit(admin, f"user-{approver['id']}", "Save the roles")
    admin.get_by_label("Rule name").fill("Pickups over 10 t")
    admin.get_by_label("Decision").select_option("authorize_pickup")
    admin.get_by_label("Above").select_option("tonnage")
    admin.get_by_label("Threshold").fill("10")
    admin.get_by_label("Approved by (role)").select_option("purchasing_manager")
    _submit(admin, "rule-form", "Add the rule")
    rule_id = api.call("buyer2", "GET", "/api/v1/approval-rules")["items"][-1]["id"]
    try:
        _approval_then_gate(open_as, api, requester, approver, screenshots)
    finally:  # the demo buyer is shared with the other browser tests
        api.call("buyer2", "PATCH", f"/api/v1/approval-rules/{rule_id}", {"active": False})


def _approval_then_gate(open_as, api, requester, approver, screenshots):
    load = api.assigned_load(buyer="buyer2")
    page = _sign_in_as(open_as, requester["email"], f"/loads/{load['id']}")
    page.get_by_role("button", name="Authorize the pickup").click()
    expect(page.locator("#pickup-form-status")).to_have_text("Done.")
    page.reload()
    expect(page.locator('[data-flag="awaiting-approval"]')).to_be_visible()
    page.screenshot(path=str(screenshots / "pickup-awaiting-approval.png"), full_page=True)

    auth = api.call("buyer2", "GET", "/api/v1/pickup-authorizations")["items"][0]
    assert auth["load_id"] == load["id"] and auth["approval_status"] == "pending"
    gate = {"load_id": load["id"], "token": auth["token"], "plate": auth["plate"]}
    refused = api.call("seller", "POST", "/api/v1/yard/checkin", gate, expect=(403,))
    assert refused["reason"] == "awaiting_approval"

    decide = _sign_in_as(open_as, approver["email"], "/organisation")
    row = decide.locator(f"#approval-{auth['approval_id']}")
    expect(row).to_contain_text("awaiting approval")
    with decide.expect_navigation():
        row.get_by_role("button", name="Approve").click()
    expect(decide.locator(f"#approval-{auth['approval_id']} [data-approval-status]")).to_have_attribute(
        "data-approval-status", "approved")
    decide.goto("/organisation?lang=zh_CN")
    expect(decide.locator("#approvals-h")).to_have_text("审批")
    decide.screenshot(path=str(screenshots / "organisation-zh.png"), full_page=True)

    visit = api.call("seller", "POST", "/api/v1/yard/checkin", gate)
    assert visit["load_id"] == load["id"]
    _inspector(open_as, api, load, screenshots)
    _audit(open_as, auth)


def _inspector(open_as, api, load, screenshots):
    seller = open_as("seller", f"/loads/{load['id']}")
    seller.get_by_label("Inspection agency").select_option(label="Rhein Inspect")
    _submit(seller, "inspector-form", "Appoint the inspector")
    inspector = open_as("inspector", "/")
    inspector.get_by_role("link", name=load["reference"]).click()
    inspector.get_by_label("Tare (kg)").fill("14000")
    inspector.get_by_label("Gross (kg)").fill("34000")
    _submit(inspector, "weigh-form", "Record the weigh ticket")
    for party in ("buyer2", "seller"):
        view = open_as(party, f"/loads/{load['id']}")
        expect(view.locator('[data-flag="independent"]')).to_contain_text("Rhein Inspect")
    view.screenshot(path=str(screenshots / "evidence-independent.png"), full_page=True)


def _audit(open_as, auth):
    admin = open_as("buyer2", "/organisation")
    for action in ("department.created", "role.created", "user.changed", "approval_rule.created",
                   "pickup_authorization.issued", "approval.requested", "approval.approved", "inspection.appointed"):
        expect(admin.locator(f'[data-audit-action="{action}"]').first).to_be_attached()
