"""The gate and dock console on a tablet in Chromium: a dock manager scans a truck's QR code from a picture,
checks it in, books it, calls it, loads it with its evidence and lets it go; a second console (in Chinese)
follows every step live, and a forged pass is refused in the reader's language."""

from __future__ import annotations

from playwright.sync_api import expect

TABLET = {"width": 1024, "height": 768}


def _card(page, load_id: int):
    return page.locator(f'#console-board li.truck[data-load-id="{load_id}"]')


def _status(page, load_id: int, status: str):
    page.locator(f'#console-board li.truck[data-load-id="{load_id}"][data-status="{status}"]').wait_for()


def test_a_dock_manager_takes_a_truck_from_gate_to_departure(open_as, api, stack, screenshots, tmp_path):
    """Scan (QR picture) -> check in -> book -> call -> loading -> loaded (weigh ticket, seal, sample) -> departed."""
    from tests.browser.conftest import wait_live

    load = api.assigned_load()
    grant = api.call("buyer", "POST", f"/api/v1/loads/{load['id']}/pickup-authorizations", {})
    qr = tmp_path / "pass.png"
    import requests

    response = requests.get(f"{stack.base_url}{grant['qr_png_url']}", timeout=30,
                            headers={"Authorization": f"Bearer {api.login('buyer')}"})
    response.raise_for_status()
    qr.write_bytes(response.content)

    watcher = open_as("seller", "/console?lang=zh_CN", viewport=TABLET)
    page = open_as("seller", "/console?lang=en", viewport=TABLET)
    wait_live(watcher)
    wait_live(page)

    # A forged pass is refused, and says why.
    page.get_by_label("Or type the token or the plate").fill(grant["token"][:-4] + "AAAA")
    page.get_by_role("button", name="Check the pass").click()
    expect(page.locator('#pass-result .pass.bad[data-reason="forged"]')).to_contain_text("Forged QR code")

    # The driver's QR code, fed to the scanner as a picture: what the buyer authorized, then check in.
    page.set_input_files("#scan-image", str(qr))
    ok = page.locator(f'#pass-result .pass.ok[data-load-id="{load["id"]}"]')
    expect(ok).to_contain_text(grant["plate"])
    expect(ok).to_contain_text(load["reference"])
    page.locator("#check-in").click()
    _status(page, load["id"], "arrived")
    _status(watcher, load["id"], "arrived")
    page.locator("#check-in").click()  # a double tap: still one truck on the board
    expect(page.locator("#check-in-status")).to_have_text("Checked in.")
    expect(_card(page, load["id"])).to_have_count(1)

    # Book the first slot offered, call the truck to its dock, load, record the evidence, let it go.
    _card(page, load["id"]).locator('[data-action="book"]').first.click()
    expect(_card(page, load["id"]).locator(".slot")).to_be_visible()
    expect(_card(watcher, load["id"]).locator(".slot")).to_be_visible()
    _card(page, load["id"]).locator('[data-action="call"]').click()
    _status(page, load["id"], "called")
    _card(page, load["id"]).locator('[data-action="loading"]').click()
    _status(page, load["id"], "loading")
    _status(watcher, load["id"], "loading")
    card = _card(page, load["id"])
    card.get_by_label("Tare (kg)").fill("14200")
    card.get_by_label("Gross (kg)").fill("34300")
    card.get_by_label("Seal number").fill("SEAL-0042")
    card.get_by_label("Sample ID").fill("S-7")
    page.screenshot(path=str(screenshots / "dock-console-en.png"), full_page=True)
    watcher.screenshot(path=str(screenshots / "dock-console-zh.png"), full_page=True)
    card.locator('[data-action="loaded"]').click()
    _status(page, load["id"], "loaded")
    _status(watcher, load["id"], "loaded")
    evidence = api.call("seller", "GET", f"/api/v1/loads/{load['id']}/evidence")
    assert [item["kind"] for item in evidence["items"]] == ["weigh_ticket", "seal", "sample"]
    _card(page, load["id"]).locator('[data-action="departed"]').click()
    expect(_card(page, load["id"])).to_have_count(0)
    expect(_card(watcher, load["id"])).to_have_count(0)
    visit = api.call("seller", "GET", f"/api/v1/loads/{load['id']}")
    assert visit["status"] == "in_transit"
    for p in (page, watcher):
        assert not p.context.__dict__.get("js_errors"), p.context.__dict__.get("js_errors")


def test_a_refusal_reads_in_chinese(open_as, api):
    """A plate with no pass at this plant is refused in Chinese on a Chinese console."""
    page = open_as("seller", "/console?lang=zh_CN", viewport=TABLET)
    page.locator("#pass-text").fill("ZZ 0000")
    page.locator("#pass-form button[type=submit]").click()
    expect(page.locator('#pass-result .pass.bad[data-reason="no_pass_for_plate"]')).to_contain_text("车牌")
