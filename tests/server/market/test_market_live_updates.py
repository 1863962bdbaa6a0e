"""Board changes reach the seller and the eligible carriers only; drivers hear through their inbox."""

import pytest

from server import realtime
from tests.server.market.market_factory import add_carrier, make_board, tender_body


@pytest.fixture
def emitted(monkeypatch, ctx):
    sent = []
    monkeypatch.setitem(ctx.config, "MARKET_AUDIENCE_TTL_S", 0)
    monkeypatch.setattr(realtime, "emit_to_orgs", lambda event, data, orgs: sent.append((event, data, set(orgs))))
    return sent


@pytest.fixture
def board(make_party, ctx):
    board = make_board(make_party, carriers=2)
    board.far = add_carrier(board, make_party, near_km=400)
    board.tanker = add_carrier(board, make_party, equipment=("liquid_arm",))
    return board


def _events(sent, name):
    return [(data, orgs) for event, data, orgs in sent if event == name]


def test_new_tender_is_told_to_near_qualified_carriers_and_the_seller(client, board, emitted):
    """A new load reaches the seller and the near pallet carriers, not the far one nor the tanker."""
    load = board.load()
    client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers, json=tender_body("auction"))
    [(data, orgs)] = _events(emitted, "board.tender_opened")
    assert orgs == {board.seller.id, *(c.id for c in board.carriers[:2])}
    assert data["load_id"] == load.id and data["mode"] == "auction"


def test_bids_tell_the_seller_and_lead_changes_tell_eligible_carriers_without_names(client, board, emitted):
    """The seller hears every bid with the bidder; carriers hear lead changes only, with no bidder named."""
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("auction")).get_json()
    a, b = board.carriers[:2]
    client.post(f"/api/v1/tenders/{tender['id']}/bids", headers=a.headers, json={"price": 1000})
    client.post(f"/api/v1/tenders/{tender['id']}/bids", headers=b.headers, json={"price": 1100})  # not a new lead
    bids = _events(emitted, "board.bid")
    assert [(d["carrier_id"], orgs) for d, orgs in bids] == [(a.id, {board.seller.id}), (b.id, {board.seller.id})]
    [(lead, orgs)] = _events(emitted, "board.lead_changed")
    assert lead["lead_price"] == 1000 and "carrier_id" not in lead and orgs == {a.id, b.id}


def test_award_and_cancellation_are_told(client, board, emitted):
    """A grab tells the audience the load is gone (the winner's name only to seller and winner); a cancel too."""
    first, second = board.load(), board.load()
    t1 = client.post(f"/api/v1/loads/{first.id}/tenders", headers=board.seller.headers, json=tender_body()).get_json()
    t2 = client.post(f"/api/v1/loads/{second.id}/tenders", headers=board.seller.headers, json=tender_body()).get_json()
    winner = board.carriers[0]
    client.post(f"/api/v1/tenders/{t1['id']}/grab", headers=winner.headers)
    client.post(f"/api/v1/tenders/{t2['id']}/cancel", headers=board.seller.headers)
    awarded = _events(emitted, "board.tender_awarded")
    public = [orgs for data, orgs in awarded if "carrier_id" not in data]
    named = [orgs for data, orgs in awarded if data.get("carrier_id") == winner.id]
    assert public == [{c.id for c in board.carriers[:2]}] and named == [{board.seller.id, winner.id}]
    [(closed, orgs)] = _events(emitted, "board.tender_closed")
    assert closed["status"] == "cancelled" and orgs == {board.seller.id, *(c.id for c in board.carriers[:2])}


def test_failed_fan_out_does_not_undo_the_award(client, board, monkeypatch):
    """A broken Socket.IO emit is logged; the grab still succeeds."""
    def broken(*_args, **_kwargs):
        raise RuntimeError("redis down")

    monkeypatch.setattr(realtime, "emit_to_orgs", broken)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers, json=tender_body())
    assert tender.status_code == 201
    r = client.post(f"/api/v1/tenders/{tender.get_json()['id']}/grab", headers=board.carriers[0].headers)
    assert r.status_code == 201
