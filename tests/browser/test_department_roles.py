"""Roles within a department, in Chromium: a buyer's admin gives a person the pickup role in one department on the
organisation page (English, 中文), and that person authorizes a load of that department, not one of another."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.test_organisation import _person, _sign_in_as, _submit


def test_a_role_given_in_a_department_authorizes_that_departments_loads(open_as, api, screenshots):
    """The form sets the role; the page lists it; the holder is offered no pickup form on Paper's load (a note says
    why) and authorizes Steel's."""
    tag = uuid.uuid4().hex[:6]
    steel = api.call("buyer2", "POST", "/api/v1/departments", {"name": f"Steel {tag}"})
    paper = api.call("buyer2", "POST", "/api/v1/departments", {"name": f"Paper {tag}"})
    role = f"pickup_clerk_{tag}"
    api.call("buyer2", "POST", "/api/v1/roles", {"name": role, "permissions": ["authorize_pickups"]})
    clerk = _person(api, ["viewer"])

    admin = open_as("buyer2", "/organisation")
    form = admin.locator("#department-roles-form")
    form.get_by_label("Department").select_option(label=steel["name"])
    form.get_by_label("Person").select_option(str(clerk["id"]))
    form.locator(f'input[value="{role}"]').check()
    _submit(admin, "department-roles-form", "Set the roles in the department")
    expect(admin.locator(f'[data-department-roles="{steel["id"]}-{clerk["id"]}"]')).to_contain_text(
        role.replace("_", " "))
    admin.goto("/organisation?lang=zh_CN")
    expect(admin.locator("#department-roles-form h3")).to_have_text("部门内的角色")
    admin.screenshot(path=str(screenshots / "department-roles-zh.png"), full_page=True)
    held = api.call("buyer2", "GET", f"/api/v1/users/{clerk['id']}/department-roles")
    assert held == [{"department_id": steel["id"], "department_name": steel["name"], "roles": [role]}]

    load = api.assigned_load(buyer="buyer2")
    api.call("buyer2", "POST", f"/api/v1/departments/{paper['id']}/objects",
              {"object_type": "load", "object_id": load["id"]})
    page = _sign_in_as(open_as, clerk["email"], f"/loads/{load['id']}")
    # Paper's load: no button that could only answer 403 (the API's refusal is tested in tests/server).
    expect(page.locator('[data-note="pickup-permission"]')).to_be_visible()
    expect(page.get_by_role("button", name="Authorize the pickup")).to_have_count(0)
    api.call("buyer2", "POST", f"/api/v1/departments/{steel['id']}/objects",
             {"object_type": "load", "object_id": load["id"]})
    page.reload()
    page.get_by_role("button", name="Authorize the pickup").click()
    expect(page.locator("#pickup-form-status")).to_have_text("Done.")
    page.screenshot(path=str(screenshots / "department-role-authorized.png"), full_page=True)
