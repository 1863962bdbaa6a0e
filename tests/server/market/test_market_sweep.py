"""The periodic sweep applies deadlines and offer timeouts, and tells carriers newly in reach."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server import clock, realtime
from server.extensions import db
from server.market.sweeper import sweep_once
from server.market.tendering import sweep
from server.models import Award, Tender
from tests.server.market.market_factory import add_carrier, make_board, tender_body


@pytest.fixture
def emitted(monkeypatch, ctx):
    sent = []
    monkeypatch.setitem(ctx.config, "MARKET_AUDIENCE_TTL_S", 0)
    monkeypatch.setattr(realtime, "emit_to_orgs", lambda event, data, orgs: sent.append((event, data, set(orgs))))
    return sent


@pytest.fixture
def board(make_party, ctx):
    return make_board(make_party, carriers=2)


def _post(client, board, body):
    load = board.load()
    r = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers, json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_sweep_awards_auctions_past_their_deadline(client, board, emitted):
    """Nobody looks, yet after the deadline the sweep awards the lowest bid and tells the parties."""
    tender = _post(client, board, tender_body("auction"))
    client.post(f"/api/v1/tenders/{tender['id']}/bids", headers=board.carriers[1].headers, json={"price": 990})
    report = sweep(clock.now() + timedelta(hours=3))
    assert (report.checked, report.changed, report.errors) == (1, 1, [])
    award = db.session.scalar(select(Award).where(Award.tender_id == tender["id"]))
    assert (award.carrier_org_id, award.price) == (board.carriers[1].id, 990)
    assert any(event == "board.tender_awarded" for event, _, _ in emitted)
    assert sweep(clock.now() + timedelta(hours=4)).checked == 0  # nothing open is left


def test_sweep_moves_sequential_offers_on(client, board, emitted):
    """After the offer timeout the sweep offers the tender to the next preferred carrier and tells it."""
    a, b = board.carriers
    tender = _post(client, board, tender_body("sequential", preferred_carrier_ids=[a.id, b.id], offer_timeout_s=60))
    emitted.clear()
    sweep(clock.now() + timedelta(seconds=61))
    assert db.session.get(Tender, tender["id"]).sequential_index == 1
    assert [orgs for event, _, orgs in emitted if event == "board.tender_opened"] == [{board.seller.id, b.id}]


def test_sweep_tells_carriers_who_came_into_reach(client, board, make_party, emitted):
    """A carrier 150 km away hears of the tender once the radius has widened past it, and only then."""
    far = add_carrier(board, make_party, near_km=150)
    _post(client, board, tender_body("grab", radius_km=50))
    start = clock.now()
    emitted.clear()
    sweep(start + timedelta(minutes=11), since=start + timedelta(minutes=1))  # 100 km: still out of reach
    assert not any(far.id in orgs for _, _, orgs in emitted)
    sweep(start + timedelta(minutes=21), since=start + timedelta(minutes=11))  # 200 km
    told = [orgs for event, _, orgs in emitted if event == "board.tender_opened"]
    assert told and all(far.id in orgs and board.carriers[0].id not in orgs for orgs in told)


def test_sweep_once_runs_in_its_own_context(app, client, board):
    """The thread/CLI entry point sweeps with its own app context and session."""
    _post(client, board, tender_body("grab"))
    report, swept_at = sweep_once(app)
    assert report.checked == 1 and swept_at.tzinfo is not None
