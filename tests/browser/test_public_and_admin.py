"""Public tracking links without login (and 410 once expired), and the platform admin's pages."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import expect


def test_public_link_works_without_login_and_stops_after_expiry(open_as, api, stack, screenshots):
    """A link the buyer creates opens for anyone without signing in, and answers 410 once it has expired."""
    load = api.draft_load(buyer="buyer")
    page = open_as("buyer", f"/loads/{load['id']}")
    page.get_by_label("Valid for (hours)").fill("2")
    page.get_by_role("button", name="Create a link").click()
    url = page.locator("#new-link").get_attribute("href")
    page.locator("#load-links li", has_text="valid until").first.wait_for()

    public = open_as(None, url)
    assert public.request.get(url).status == 200
    assert load["reference"] in public.locator("h1").inner_text()
    public.screenshot(path=str(screenshots / "dashboard-public-tracking.png"), full_page=True)

    token_hash_of_latest = "SELECT id FROM tracking_links WHERE load_id = ? ORDER BY id DESC LIMIT 1"
    with sqlite3.connect(stack.database) as db:  # let the clock run out instead of waiting for it
        link_id = db.execute(token_hash_of_latest, (load["id"],)).fetchone()[0]
        db.execute("UPDATE tracking_links SET expires_at = '2000-01-01 00:00:00.000000' WHERE id = ?", (link_id,))
    response = public.goto(url)
    assert response.status == 410
    assert "410" in public.locator("h1").inner_text()
    assert load["reference"] not in public.content()


def test_admin_issues_and_revokes_an_api_token(open_as, screenshots):
    """The platform admin's forms show errors by their fields, issue a token once, and revoke it."""
    page = open_as("admin", "/admin")
    page.get_by_role("button", name="Add", exact=True).first.click()
    expect(page.locator("#org-form-name-error")).to_have_text(re.compile(".+"))
    page.get_by_label("What the token is for").fill("ERP of the browser test")
    page.get_by_role("button", name="Issue a token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("haul_")
    item = page.locator("#admin-tokens li", has_text="ERP of the browser test")
    item.wait_for()
    page.screenshot(path=str(screenshots / "dashboard-admin.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="Revoke ERP of the browser test").click()
    page.locator("#admin-tokens li", has_text="ERP of the browser test").locator(".bad").wait_for()
