"""Exactly one award under concurrency: hundreds of simultaneous grabs or winning bids on PostgreSQL."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import Award, Load, Tender
from tests.server.market.market_factory import add_carrier, make_board, tender_body

pytestmark = pytest.mark.postgis


@pytest.fixture
def pg(ctx):
    if ctx.config["BACKEND"] != "postgis":
        pytest.skip("the concurrency guarantee is tested on the production database")
    return ctx


def _fire(app, requests):
    """Run each (method, url, headers, json) from its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(i, url, headers, body):
        client = app.test_client()
        barrier.wait()
        r = client.post(url, headers=headers, json=body)
        results[i] = (r.status_code, r.get_json())

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _one_award(load_id: int, tender_id: int) -> Award:
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Award.id)).where(Award.load_id == load_id)) == 1
    assert db.session.get(Tender, tender_id).status == "awarded"
    award = db.session.scalar(select(Award).where(Award.load_id == load_id))
    assert db.session.get(Load, load_id).carrier_org_id == award.carrier_org_id
    return award


def test_200_concurrent_grabs_give_exactly_one_award(pg, client, make_party):
    """200 carriers grab the same load at once: one 201, 199 answers of 409 with a reason, one award row."""
    board = make_board(make_party, carriers=0)
    carriers = [add_carrier(board, make_party) for _ in range(200)]
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab", radius_km=0)).get_json()
    url = f"/api/v1/tenders/{tender['id']}/grab"
    results = _fire(pg, [(url, c.headers, None) for c in carriers])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: 199}, statuses
    refused = [body for status, body in results if status == 409]
    assert all(body["reason"] in ("already_awarded", "offer_moved") and body["detail"] for body in refused)
    winner = next(body for status, body in results if status == 201)
    assert _one_award(load.id, tender["id"]).carrier_org_id == winner["carrier_id"]


def test_concurrent_auto_accept_bids_give_exactly_one_award(pg, client, make_party):
    """50 carriers bid under the auto-accept target at once: one bid wins, the rest are refused or lose."""
    board = make_board(make_party, carriers=0)
    carriers = [add_carrier(board, make_party) for _ in range(50)]
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("auction", award_rule="auto_accept", target_price=800.0,
                                          radius_km=0)).get_json()
    url = f"/api/v1/tenders/{tender['id']}/bids"
    results = _fire(pg, [(url, c.headers, {"price": 700.0 + i}) for i, c in enumerate(carriers)])
    awarded = [body for status, body in results if status == 201 and body["award"] is not None]
    assert len(awarded) == 1
    assert all(status in (201, 409) for status, _ in results)
    assert _one_award(load.id, tender["id"]).id == awarded[0]["award"]["id"]
