"""The load board says where a carrier stands (bid, rank, time left, outcome), and a tender's price history
is for its parties only."""

from datetime import timedelta

import pytest

from server import clock
from tests.server.market.market_factory import make_board, tender_body


@pytest.fixture
def board(make_party, ctx):
    return make_board(make_party, carriers=3)


def _auction(client, board):
    load = board.load()
    r = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers, json=tender_body("auction"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _bid(client, tender, party, price):
    assert client.post(f"/api/v1/tenders/{tender['id']}/bids", headers=party.headers,
                       json={"price": price}).status_code == 201


def _standing(client, tender, party):
    return client.get(f"/api/v1/tenders/{tender['id']}", headers=party.headers).get_json()["standing"]


def test_each_carrier_sees_its_own_bid_rank_and_time_left(client, board):
    """A leads after undercutting B: A is rank 1 'leading', B rank 2 'outbid', C has no bid; time left counts down."""
    tender = _auction(client, board)
    a, b, c = board.carriers
    _bid(client, tender, b, 1100)
    _bid(client, tender, a, 1050)
    mine = _standing(client, tender, a)
    assert mine["my_best"] == 1050 and mine["rank"] == 1 and mine["state"] == "leading" and mine["bidders"] == 2
    assert 7000 < mine["time_left_s"] <= 7200
    assert _standing(client, tender, b) | {"time_left_s": 0} == {
        "my_best": 1100, "rank": 2, "bidders": 2, "state": "outbid", "time_left_s": 0}
    assert _standing(client, tender, c)["state"] == "open" and _standing(client, tender, c)["rank"] is None
    board_row = client.get("/api/v1/tenders", headers=b.headers).get_json()["items"][0]
    assert board_row["standing"]["state"] == "outbid"
    assert client.get(f"/api/v1/tenders/{tender['id']}", headers=board.seller.headers).get_json()["standing"] is None


def test_won_and_lost_stay_visible_after_the_close(client, board, monkeypatch):
    """Past the deadline the winner reads 'won', the loser 'lost', on the tender and on the carrier dashboard."""
    tender = _auction(client, board)
    a, b, _ = board.carriers
    _bid(client, tender, a, 1100)
    _bid(client, tender, b, 1000)
    later = clock.now() + timedelta(hours=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _standing(client, tender, b)["state"] == "won"
    assert _standing(client, tender, a)["state"] == "lost"
    assert _standing(client, tender, a)["time_left_s"] is None


def test_price_history_is_for_the_parties_only(client, board, make_party):
    """The seller sees every bid; a bidder the lead and its own prices; a carrier that never bid gets 404."""
    tender = _auction(client, board)
    a, b, c = board.carriers
    _bid(client, tender, a, 1100)
    _bid(client, tender, b, 1000)
    url = f"/api/v1/tenders/{tender['id']}/history"
    seller = client.get(url, headers=board.seller.headers).get_json()
    assert [(r["price"], r["lead_price"], r["carrier_id"]) for r in seller] == [(1100, 1100, a.id), (1000, 1000, b.id)]
    own = client.get(url, headers=a.headers).get_json()
    assert [(r["price"], r["lead_price"], r["mine"]) for r in own] == [(1100, 1100, True), (None, 1000, False)]
    assert all("carrier_id" not in r for r in own)
    for outsider in (c, board.buyer, make_party("seller")):
        r = client.get(url, headers=outsider.headers)
        assert r.status_code == 404 and r.mimetype == "application/problem+json"
