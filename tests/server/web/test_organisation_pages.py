"""The organisation page, the inspector's dashboard and the load page's approval and inspection parts."""

import re

from tests.conftest import TEST_PASSWORD
from tests.server.access.access_factory import custom_role, member
from tests.server.approvals.approval_factory import assigned_load, purchasing


def _sign_in(client, email):
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post("/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": token})


def test_organisation_page_shows_departments_roles_rules_approvals_and_audit(client, make_party):
    """An admin's page lists the tree, the custom role, the rule, what awaits approval, and the audit trail."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    client.post("/api/v1/departments", headers=buyer.headers, json={"name": "Purchasing"})
    custom_role(client, buyer, "category_manager", ["approve"])
    p = purchasing(client, buyer)
    client.post(f"/api/v1/loads/{a['load_id']}/pickup-authorizations", headers=p["requester"].headers, json={})
    _sign_in(client, buyer.user.email)
    html = client.get("/organisation").get_data(as_text=True)
    for text in ("Purchasing", "category_manager", "Pickups over 10 t", "awaiting approval", "approval.requested",
                 'id="role-form"', 'id="department-form"', 'name="levels.0.role"'):
        assert text in html, text
    load_page = client.get(f"/loads/{a['load_id']}").get_data(as_text=True)
    assert 'data-flag="awaiting-approval"' in load_page and 'id="inspector-form"' not in load_page  # no agency yet


def test_the_page_speaks_simplified_chinese(client, make_party):
    """With the Chinese language chosen, headings and the approval status are in Chinese."""
    admin = make_party("buyer", roles=("admin",))
    _sign_in(client, admin.user.email)
    html = client.get("/organisation?lang=zh_CN").get_data(as_text=True)
    assert "审批" in html and "部门" in html and "角色" in html


def test_a_viewer_sees_no_management_forms(client, make_party):
    """Without the permissions, the forms are not offered (the API would refuse them anyway)."""
    admin = make_party("buyer", roles=("admin",))
    viewer = member(admin, ["viewer"])
    _sign_in(client, viewer.user.email)
    html = client.get("/organisation").get_data(as_text=True)
    assert 'id="role-form"' not in html and 'id="department-form"' not in html and "Audit trail" not in html


def test_inspector_dashboard_and_load_page(client, make_party):
    """An inspector lands on its appointed loads, and the load page offers the weigh-ticket form."""
    a = assigned_load(client, make_party)
    inspector = make_party("inspector", roles=("admin",), name="Rhein Inspect")
    client.post(f"/api/v1/loads/{a['load_id']}/inspectors", headers=a["board"].seller.headers,
                json={"inspector_org_id": inspector.id})
    _sign_in(client, inspector.user.email)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert f"/loads/{a['load_id']}" in html
    page = client.get(f"/loads/{a['load_id']}").get_data(as_text=True)
    assert 'id="weigh-form"' in page and 'name="payload.tare_kg"' in page


def test_roles_within_a_department_are_shown_and_offered(client, make_party):
    """The tree names who holds which roles in a department; a user manager gets the form, in English and Chinese."""
    admin = make_party("buyer", roles=("admin",))
    steel = client.post("/api/v1/departments", headers=admin.headers, json={"name": "Steel"}).get_json()
    clerk = member(admin, ["viewer"], name="Clerk Wu")
    r = client.put(f"/api/v1/departments/{steel['id']}/roles", headers=admin.headers,
                   json={"user_id": clerk.user.id, "roles": ["dock_manager"]})
    assert r.status_code == 200, r.get_json()
    _sign_in(client, admin.user.email)
    html = client.get("/organisation").get_data(as_text=True)
    assert f'data-department-roles="{steel["id"]}-{clerk.user.id}">Clerk Wu: dock manager' in html
    assert 'id="department-roles-form"' in html and 'data-api="/api/v1/departments/{department_id}/roles"' in html
    assert "部门内的角色" in client.get("/organisation?lang=zh_CN").get_data(as_text=True)
    viewer = member(admin, ["viewer"])
    client.get("/logout")
    _sign_in(client, viewer.user.email)
    assert 'id="department-roles-form"' not in client.get("/organisation").get_data(as_text=True)


def test_approve_and_reject_are_offered_only_to_who_may_decide_the_level(client, make_party):
    """The level's approver gets the buttons; the requester and an admin outside the level's role (both refused by
    the API) see that the request waits for an approver instead."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    p = purchasing(client, buyer)
    r = client.post(f"/api/v1/loads/{a['load_id']}/pickup-authorizations", headers=p["requester"].headers, json={})
    approval_id = r.get_json()["approval_id"]
    for person, offered in ((p["manager"], True), (p["requester"], False), (buyer, False)):
        client.post("/api/v1/auth/logout")
        _sign_in(client, person.user.email)
        html = client.get("/organisation").get_data(as_text=True)
        assert (f'id="approve-{approval_id}"' in html) is offered, person.user.email
        assert (f'id="reject-{approval_id}"' in html) is offered
        assert ("Waiting for an approver of this level." in html) is not offered
    client.post("/api/v1/auth/logout")
    _sign_in(client, buyer.user.email)
    assert "等待本级审批人审批。" in client.get("/organisation?lang=zh_CN").get_data(as_text=True)
