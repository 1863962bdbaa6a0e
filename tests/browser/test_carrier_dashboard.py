"""The carrier's dashboard in Chromium: the live load board across two carriers, assignment, route plans."""

from __future__ import annotations

from tests.browser.conftest import wait_live


def test_grab_in_one_browser_updates_the_board_in_another(open_as, api, screenshots):
    """A tender opened by the seller appears on two carriers' boards; one grabs it, it leaves the other's."""
    vehicle_id, driver_id = api.add_truck("carrier2")
    grabber = open_as("carrier2", "/carrier")
    watcher = open_as("carrier", "/carrier")
    wait_live(grabber)
    wait_live(watcher)
    load = api.draft_load(buyer="buyer")
    tender = api.tender(load["id"])
    row = f'#board tr[data-tender-id="{tender["id"]}"]'
    grabber.locator(row).wait_for()
    watcher.locator(row).wait_for()
    grabber.locator(row).get_by_role("button", name="Grab").focus()
    grabber.keyboard.press("Enter")
    watcher.locator(row).wait_for(state="detached")
    grabber.locator(row).wait_for(state="detached")
    award = grabber.locator(f'#awards tr[data-load-id="{load["id"]}"]')
    award.wait_for()

    award.get_by_label(f"Truck for {load['reference']}").select_option(str(vehicle_id))
    award.get_by_label(f"Driver for {load['reference']}").select_option(str(driver_id))
    award.get_by_role("button", name="Assign").click()
    grabber.locator(f'#awards tr[data-load-id="{load["id"]}"] .status-assigned').wait_for()
    assert api.call("carrier2", "GET", f"/api/v1/loads/{load['id']}")["vehicle_id"] == vehicle_id

    grabber.reload()
    wait_live(grabber)
    grabber.get_by_label("Time limit (seconds)").fill("2")
    grabber.get_by_role("button", name="Optimise routes").click()
    grabber.locator("#route-job").wait_for()
    grabber.locator("#route-result .route-plan").wait_for(timeout=60_000)
    assert "finished" in grabber.locator("#route-result").inner_text()
    assert grabber.evaluate("window.HaulLiveMapState.routes.length") >= 1
    assert grabber.locator("#route-progress").evaluate("p => p.value") == 1
    # the job's status is worded by the page from its code, never the raw "succeeded"
    status = grabber.locator("#route-job-status").inner_text()
    assert "finished" in status and "succeeded" not in status, status
    grabber.screenshot(path=str(screenshots / "dashboard-carrier.png"), full_page=True)
