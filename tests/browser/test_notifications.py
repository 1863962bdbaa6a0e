"""Notifications in Chromium: two carriers bid, the outbid one sees it on its bell live, the winner reads 'won'
after the close, and the bell marks things read."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.browser.conftest import wait_live

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
DEADLINE_S = 25


def _bid(page, tender_id: int, price: int) -> None:
    row = page.locator(f'#board tr[data-tender-id="{tender_id}"]')
    row.locator('input[name="price"]').fill(str(price))
    row.get_by_role("button", name="Bid").click()
    page.locator(f"#bid-{tender_id}-status.ok").wait_for()


def test_outbid_carrier_sees_it_on_the_bell_and_the_winner_sees_won(open_as, api, screenshots):
    """Carrier bids 1100, carrier2 undercuts: carrier's bell counts it live and says 'outbid'; after the deadline
    carrier2's board row says 'won' and carrier's says 'lost'."""
    loser = open_as("carrier", "/carrier")
    winner = open_as("carrier2", "/carrier")
    wait_live(loser)
    wait_live(winner)
    api.call("carrier", "POST", "/api/v1/notifications/read-all")
    loser.reload()
    wait_live(loser)
    load = api.draft_load(buyer="buyer")
    deadline = datetime.now(UTC) + timedelta(seconds=DEADLINE_S)
    tender = api.call("seller", "POST", f"/api/v1/loads/{load['id']}/tenders", {
        "mode": "auction", "ceiling_price": 1200, "min_decrement": 10, "max_bids_per_carrier": 3,
        "deadline": deadline.isoformat(), "radius_km": 0})
    for page in (loser, winner):
        page.locator(f'#board tr[data-tender-id="{tender["id"]}"]').wait_for()

    _bid(loser, tender["id"], 1100)
    loser.locator(f'#board tr[data-tender-id="{tender["id"]}"][data-standing="leading"]').wait_for()
    unread_before = int(loser.locator("#bell-button").get_attribute("data-unread") or "0")
    _bid(winner, tender["id"], 1050)

    # Live: the outbid carrier's bell counts the notice without a reload, and the board row says so.
    # (Locators, not wait_for_function: the pages' CSP forbids evaluating strings as script.)
    loser.locator(f"#bell-button:not([data-unread='{unread_before}'])").wait_for(state="attached")
    assert int(loser.locator("#bell-button").get_attribute("data-unread")) > unread_before
    loser.locator(f'#board tr[data-tender-id="{tender["id"]}"][data-standing="outbid"]').wait_for()
    loser.get_by_role("button", name="Notifications").click()
    outbid = loser.locator('#bell-list li[data-kind="outbid"]').first
    outbid.wait_for()
    assert f"You were outbid on {load['reference']}" in outbid.inner_text()
    assert outbid.locator("a").get_attribute("href") == f"/carrier#tender-{tender['id']}"
    loser.screenshot(path=str(screenshots / "notifications-en.png"))
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshots / "notifications-en.png", DOCS_IMG / "notifications-en.png")

    # After the deadline the first look closes the auction; both boards keep the outcome, live.
    time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.5)
    assert api.call("seller", "GET", f"/api/v1/tenders/{tender['id']}")["status"] == "awarded"
    winner.locator(f'#board #tender-{tender["id"]}[data-standing="won"]').wait_for()
    assert "won" in winner.locator(f'#board #tender-{tender["id"]}').inner_text()
    loser.locator(f'#board #tender-{tender["id"]}[data-standing="lost"]').wait_for()
    winner.get_by_role("button", name="Notifications").click()
    won = winner.locator('#bell-list li[data-kind="won"]').first
    won.wait_for()
    assert f"You won {load['reference']}" in won.inner_text()

    # Mark all read empties the count.
    loser.get_by_role("button", name="Mark all read").click()
    loser.locator("#bell-count[hidden]").wait_for(state="attached")
    assert not getattr(loser.context, "js_errors", None) and not getattr(winner.context, "js_errors", None)


def test_the_bell_and_board_speak_chinese(open_as, api):
    """In Chinese the bell, its items and the board's standing column are Chinese."""
    page = open_as("carrier", "/carrier?lang=zh_CN")
    wait_live(page)
    page.locator('#bell-button[aria-label="通知"]').click()
    page.get_by_role("button", name="全部标为已读").wait_for()
    assert "您的位置" in page.locator("#board thead").first.inner_text()
