"""Reverse auctions through the API: bid rules, refusals that change nothing, and awards by rule."""

from datetime import timedelta

import pytest

from server import clock
from server.extensions import db
from server.models import Organisation
from tests.server.market.market_factory import add_carrier, make_board, tender_body


@pytest.fixture
def board(make_party, ctx):
    return make_board(make_party, carriers=3)


def _auction(client, board, **body):
    load = board.load()
    r = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                    json=tender_body("auction", **body))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _bid(client, tender, party, price):
    return client.post(f"/api/v1/tenders/{tender['id']}/bids", headers=party.headers, json={"price": price})


def _bid_count(client, board, tender) -> int:
    return client.get(f"/api/v1/tenders/{tender['id']}", headers=board.seller.headers).get_json()["bid_count"]


def test_bids_update_the_lead_and_each_carrier_sees_its_own(client, board):
    """Two carriers bid; the seller sees both with scores, each carrier only its own, and the lead price."""
    tender = _auction(client, board)
    a, b = board.carriers[:2]
    assert _bid(client, tender, a, 1100).status_code == 201
    assert _bid(client, tender, b, 1050).status_code == 201
    seller_bids = client.get(f"/api/v1/tenders/{tender['id']}/bids", headers=board.seller.headers).get_json()
    assert [x["price"] for x in seller_bids] == [1100, 1050] and seller_bids[0]["carrier_score"] == 0.8
    own = client.get(f"/api/v1/tenders/{tender['id']}/bids", headers=a.headers).get_json()
    assert [x["price"] for x in own] == [1100]
    view = client.get(f"/api/v1/tenders/{tender['id']}", headers=a.headers).get_json()
    assert view["lead_price"] == 1050 and view["my_bids"] == [1100] and view["preferred_carrier_ids"] == []


@pytest.mark.parametrize("price,status,path", [(1300, 422, "price"), (-5, 422, "price"), (0, 422, "price"),
                                               (5e9, 422, "price"), ("cheap", 422, "price")])
def test_bad_prices_are_refused_with_the_field(client, board, price, status, path):
    """Above the ceiling, negative, zero, absurd or non-numeric prices get a 4xx naming 'price'; no bid is stored."""
    tender = _auction(client, board)
    r = _bid(client, tender, board.carriers[0], price)
    assert r.status_code == status and r.mimetype == "application/problem+json"
    assert path in {e["path"] for e in r.get_json()["errors"]}
    assert _bid_count(client, board, tender) == 0


def test_decrement_and_bid_limit_are_enforced(client, board):
    """A carrier must undercut its own bid by the decrement, and may bid at most N times."""
    tender = _auction(client, board, max_bids_per_carrier=2, min_decrement=25)
    a = board.carriers[0]
    assert _bid(client, tender, a, 1000).status_code == 201
    small = _bid(client, tender, a, 990)
    assert small.status_code == 422 and small.get_json()["reason"] == "decrement_too_small"
    assert _bid(client, tender, a, 975).status_code == 201
    third = _bid(client, tender, a, 900)
    assert third.status_code == 409 and third.get_json()["reason"] == "too_many_bids"
    assert _bid_count(client, board, tender) == 2


def test_bid_after_the_deadline_is_refused_and_the_auction_is_awarded(client, board, monkeypatch):
    """Past the deadline a bid gets 409 'deadline_passed' and the lowest bid wins (lazily, on that action)."""
    tender = _auction(client, board)
    a, b = board.carriers[:2]
    _bid(client, tender, a, 1100)
    _bid(client, tender, b, 1000)
    later = clock.now() + timedelta(hours=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    late = _bid(client, tender, board.carriers[2], 900)
    assert late.status_code == 409 and late.get_json()["reason"] == "deadline_passed"
    awards = client.get("/api/v1/awards", headers=board.seller.headers).get_json()["items"]
    assert [(x["carrier_id"], x["price"], x["rule"]) for x in awards] == [(b.id, 1000, "lowest_price")]
    bids = client.get(f"/api/v1/tenders/{tender['id']}/bids", headers=board.seller.headers).get_json()
    assert {x["price"]: x["status"] for x in bids} == {1100: "lost", 1000: "won"}


def test_auction_without_bids_expires_and_the_load_returns_to_draft(client, board, monkeypatch):
    """An auction that closes with no bid expires; its load can be tendered again."""
    tender = _auction(client, board)
    later = clock.now() + timedelta(hours=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert client.get(f"/api/v1/tenders/{tender['id']}", headers=board.seller.headers).get_json()["status"] == "expired"
    load = client.get(f"/api/v1/loads/{tender['load_id']}", headers=board.seller.headers).get_json()
    assert load["status"] == "draft"


def test_score_adjusted_rule_prefers_the_reliable_carrier(client, board, monkeypatch):
    """Under score_adjusted a slightly dearer carrier with a perfect record beats a cheap unreliable one."""
    from server.market import scoring

    a, b = board.carriers[:2]
    old = board.load(status="closed")
    scoring.record_trip(a.id, old.id, picked_up_on_time=False, delivered_on_time=False, tracked_share=0.1)
    scoring.record_trip(b.id, old.id, picked_up_on_time=True, delivered_on_time=True, tracked_share=1.0)
    db.session.commit()
    tender = _auction(client, board, award_rule="score_adjusted")
    _bid(client, tender, a, 950)
    _bid(client, tender, b, 1000)
    later = clock.now() + timedelta(hours=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    client.get(f"/api/v1/tenders/{tender['id']}", headers=board.seller.headers)
    awards = client.get("/api/v1/awards", headers=board.seller.headers).get_json()["items"]
    assert [(x["carrier_id"], x["rule"]) for x in awards] == [(b.id, "score_adjusted")]


def test_auto_accept_awards_at_once(client, board):
    """A bid at or below the target wins immediately; later bids get 409."""
    tender = _auction(client, board, award_rule="auto_accept", target_price=800)
    a, b = board.carriers[:2]
    assert _bid(client, tender, a, 850).get_json()["award"] is None
    won = _bid(client, tender, b, 800).get_json()
    assert won["award"]["carrier_id"] == b.id and won["award"]["rule"] == "auto_accept"
    assert _bid(client, tender, a, 700).status_code == 409


def test_private_tender_of_another_seller_is_404(client, board, make_party):
    """A carrier not invited to a private tender cannot see it nor bid on it: 404."""
    invited, outsider = board.carriers[:2]
    tender = _auction(client, board, private=True, preferred_carrier_ids=[invited.id])
    assert _bid(client, tender, outsider, 1000).status_code == 404
    assert client.get(f"/api/v1/tenders/{tender['id']}", headers=outsider.headers).status_code == 404
    assert _bid(client, tender, invited, 1000).status_code == 201


def test_unqualified_carrier_cannot_bid(client, board, make_party):
    """A carrier whose truck is too small gets 403 'not_qualified' and no bid is stored."""
    small = add_carrier(board, make_party, max_weight_kg=7500)
    tender = _auction(client, board)
    r = _bid(client, tender, small, 1000)
    assert r.status_code == 403 and r.get_json()["reason"] == "not_qualified"
    assert "weight capacity" in r.get_json()["detail"]
    assert _bid_count(client, board, tender) == 0


def test_seller_thresholds_shut_out_a_carrier_with_cancellations(client, board):
    """With max_cancellations 0, a carrier with three scored loads and a cancellation gets 'below_thresholds'."""
    from server.market import scoring

    a = board.carriers[0]
    r = client.patch("/api/v1/market/settings", headers=board.seller.headers,
                     json={"max_cancellations": 0, "min_loads": 1})
    assert r.status_code == 200 and r.get_json()["max_cancellations"] == 0
    old = board.load(status="closed")
    scoring.record(a.id, old.id, "cancelled", 1)
    db.session.commit()
    tender = _auction(client, board)
    refused = _bid(client, tender, a, 1000)
    assert refused.status_code == 403 and refused.get_json()["reason"] == "below_thresholds"
    assert _bid(client, tender, board.carriers[1], 1000).status_code == 201
    org = db.session.get(Organisation, board.seller.id)
    db.session.refresh(org)
    assert org.settings["market"]["max_cancellations"] == 0


def test_bad_market_settings_name_the_field(client, board):
    """Out-of-range settings are refused with their field paths and not stored."""
    r = client.patch("/api/v1/market/settings", headers=board.seller.headers,
                     json={"min_on_time_pickup": 1.5, "window": 0})
    assert r.status_code == 422
    assert {e["path"] for e in r.get_json()["errors"]} == {"min_on_time_pickup", "window"}
    assert client.get("/api/v1/market/settings", headers=board.seller.headers).get_json()["window"] == 20
