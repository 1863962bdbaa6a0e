"""The one board rule: the API's board and the carrier dashboard's agree, on the one server clock."""

import re
from datetime import timedelta

from server import clock
from tests.conftest import TEST_PASSWORD
from tests.server.market.market_factory import add_carrier, make_board, tender_body


def _api_board(client, carrier) -> list[int]:
    return [t["id"] for t in client.get("/api/v1/tenders", headers=carrier.headers).get_json()["items"]]


def _dashboard_board(client, carrier) -> list[int]:
    assert client.post("/api/v1/auth/login", json={"email": carrier.user.email,
                                                    "password": TEST_PASSWORD}).status_code == 200
    html = client.get("/fragments/carrier/board", headers={"Accept": "text/html"}).get_data(as_text=True)
    client.post("/api/v1/auth/logout")
    return [int(tid) for tid in re.findall(r'data-tender-id="(\d+)"', html)]


def test_the_dashboard_and_the_api_show_the_same_board_as_the_clock_moves(client, make_party, ctx, monkeypatch):
    """A far carrier sees a near-first tender on neither board at first, and on both once the radius has grown."""
    board = make_board(make_party, carriers=1)
    far = add_carrier(board, make_party, near_km=300)
    near_tender = client.post(f"/api/v1/loads/{board.load().id}/tenders", headers=board.seller.headers,
                              json=tender_body(radius_km=50)).get_json()
    open_tender = client.post(f"/api/v1/loads/{board.load().id}/tenders", headers=board.seller.headers,
                              json=tender_body(radius_km=0)).get_json()
    assert _api_board(client, far) == _dashboard_board(client, far) == [open_tender["id"]]
    later = clock.now() + timedelta(minutes=35)  # 50 -> 100 -> 200 -> 400 km after three 10-minute steps
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _api_board(client, far) == _dashboard_board(client, far) == [open_tender["id"], near_tender["id"]]
