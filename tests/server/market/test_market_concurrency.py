"""Exactly one award under concurrency: hundreds of simultaneous grabs or winning bids on PostgreSQL."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import Award, Bid, Load, Tender
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


def test_one_carriers_simultaneous_bids_keep_the_limit_and_the_decrement(pg, client, make_party):
    """20 bids of one carrier at once: at most N get in, each below the one before by the decrement."""
    board = make_board(make_party, carriers=1)
    carrier = board.carriers[0]
    tender = client.post(f"/api/v1/loads/{board.load().id}/tenders", headers=board.seller.headers,
                         json=tender_body("auction", max_bids_per_carrier=3, min_decrement=10.0,
                                          radius_km=0)).get_json()
    url = f"/api/v1/tenders/{tender['id']}/bids"
    results = _fire(pg, [(url, carrier.headers, {"price": 1100.0 - 10 * i}) for i in range(20)])
    statuses = Counter(status for status, _ in results)
    assert statuses[201] >= 1 and set(statuses) <= {201, 409, 422}, statuses
    db.session.expire_all()
    prices = list(db.session.scalars(select(Bid.price).where(Bid.tender_id == tender["id"]).order_by(Bid.id)))
    assert len(prices) == statuses[201] <= 3
    assert all(later <= earlier - 10.0 for earlier, later in zip(prices, prices[1:], strict=False)), prices


def test_bids_racing_an_auto_accept_are_all_settled_by_the_award(pg, client, make_party):
    """40 carriers at once, half under the auto-accept target: one award, and no bid is left active on the
    awarded tender (a bid that got in before the award lost with the others; one after it was refused)."""
    board = make_board(make_party, carriers=0)
    carriers = [add_carrier(board, make_party) for _ in range(40)]
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("auction", award_rule="auto_accept", target_price=800.0,
                                          radius_km=0)).get_json()
    url = f"/api/v1/tenders/{tender['id']}/bids"
    prices = [790.0 if i % 2 else 1000.0 + i for i in range(40)]
    results = _fire(pg, [(url, c.headers, {"price": p}) for c, p in zip(carriers, prices, strict=True)])
    accepted = [body for status, body in results if status == 201]
    assert sum(1 for body in accepted if body["award"] is not None) == 1
    assert all(status == 201 or body["reason"] == "already_awarded" for status, body in results)
    _one_award(load.id, tender["id"])
    statuses = Counter(db.session.scalars(select(Bid.status).where(Bid.tender_id == tender["id"])))
    assert statuses["active"] == 0 and statuses["won"] == 1 and statuses["lost"] == len(accepted) - 1, statuses


def test_a_bid_waits_for_an_award_in_progress_and_is_then_refused(pg, client, make_party):
    """While another transaction is awarding the tender, a bid waits for it, then sees the award: 409."""
    from sqlalchemy import update

    board = make_board(make_party, carriers=1)
    tender = client.post(f"/api/v1/loads/{board.load().id}/tenders", headers=board.seller.headers,
                         json=tender_body("auction", radius_km=0)).get_json()
    answers = []
    with db.engine.connect() as conn:
        with conn.begin():
            conn.execute(update(Tender).where(Tender.id == tender["id"])
                         .values(status="awarded", version=Tender.version + 1))
            bidder = threading.Thread(target=lambda: answers.append(pg.test_client().post(
                f"/api/v1/tenders/{tender['id']}/bids", headers=board.carriers[0].headers, json={"price": 1000})))
            bidder.start()
            bidder.join(timeout=2)
            assert bidder.is_alive() and answers == []  # blocked on the tender's row lock
        bidder.join(timeout=30)
    assert answers[0].status_code == 409 and answers[0].get_json()["reason"] == "already_awarded"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Bid.id)).where(Bid.tender_id == tender["id"])) == 0
