"""The hot bid path: refusals change nothing, the SQL guard agrees with ``check_bid``, and a bid on a warm
board costs three statements on PostgreSQL."""

import threading
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import func, select

from server import clock
from server.extensions import db
from server.market.bid_insert import insert_bid
from server.market.bid_rules import TenderTerms
from server.market.refusals import MarketRefused
from server.models import Bid, Tender
from tests.server.market.market_factory import add_carrier, make_board, tender_body


@pytest.fixture
def board(make_party, ctx):
    return make_board(make_party, carriers=2)


def _auction(client, board, **body) -> dict:
    r = client.post(f"/api/v1/loads/{board.load().id}/tenders", headers=board.seller.headers,
                    json=tender_body("auction", **body))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _bid(client, tender_id, party, price):
    return client.post(f"/api/v1/tenders/{tender_id}/bids", headers=party.headers, json={"price": price})


def _state(tender_id):
    db.session.expire_all()
    tender = db.session.get(Tender, tender_id)
    bids = db.session.scalar(select(func.count(Bid.id)).where(Bid.tender_id == tender_id))
    return tender.status, tender.version, bids


def test_each_refusal_names_its_reason_and_changes_nothing(client, board, make_party, monkeypatch):
    """Above the ceiling, own load, unqualified, too many, too small a step, and after the deadline."""
    tender = _auction(client, board, max_bids_per_carrier=1)
    a = board.carriers[0]
    tanker = add_carrier(board, make_party, equipment=("liquid_arm",))
    assert _bid(client, tender["id"], a, 1000).status_code == 201
    before = _state(tender["id"])
    refusals = [(_bid(client, tender["id"], board.carriers[1], 1200.01), 422, "above_ceiling"),
                (_bid(client, tender["id"], board.seller, 900), 403, "own_load"),
                (_bid(client, tender["id"], tanker, 900), 403, "not_qualified"),
                (_bid(client, tender["id"], a, 900), 409, "too_many_bids")]
    for r, status, reason in refusals:
        assert (r.status_code, r.get_json()["reason"]) == (status, reason), r.get_json()
        assert r.mimetype == "application/problem+json" and r.get_json()["detail"]
    assert _state(tender["id"]) == before
    later = clock.now() + timedelta(hours=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    late = _bid(client, tender["id"], board.carriers[1], 900)
    assert (late.status_code, late.get_json()["reason"]) == (409, "deadline_passed")
    assert _state(tender["id"])[2] == before[2]  # the deadline closed the auction, but no bid was added


def test_auto_accepted_bid_answers_as_won(client, board):
    """The bid that wins at once says so, and the tender is awarded to its carrier."""
    tender = _auction(client, board, award_rule="auto_accept", target_price=800)
    r = _bid(client, tender["id"], board.carriers[0], 790)
    body = r.get_json()
    assert r.status_code == 201 and body["bid"]["status"] == "won"
    assert body["award"]["carrier_id"] == board.carriers[0].id and body["award"]["price"] == 790
    assert _state(tender["id"])[0] == "awarded"


TERMS = TenderTerms(mode="auction", ceiling_price=1200.0, min_decrement=10.0, max_bids_per_carrier=3,
                    deadline=clock.now() + timedelta(days=30))


def _open_tender(board, terms, status="open") -> Tender:
    tender = Tender(load_id=board.load(status="tendered").id, seller_org_id=board.seller.id, mode="auction",
                    status=status, ceiling_price=1200.0, min_decrement=terms.min_decrement, max_bids_per_carrier=3,
                    deadline=terms.deadline, preferred_carrier_ids=[], radius_km=50.0)
    db.session.add(tender)
    db.session.flush()
    return tender


@pytest.mark.parametrize("may_win", [False, True])
@pytest.mark.parametrize("terms, earlier, price, reason", [
    (TERMS, [1000.0], 990.0, None),                       # exactly one decrement below: allowed
    (TERMS, [1000.0], 990.01, "decrement_too_small"),
    (TERMS, [1000.0, 990.0], 980.0, None),
    (TERMS, [1000.0, 990.0, 980.0], 900.0, "too_many_bids"),
    (TenderTerms(**{**TERMS.__dict__, "min_decrement": 0.0}), [1000.0], 1000.0, "decrement_too_small"),
    (TenderTerms(**{**TERMS.__dict__, "min_decrement": 0.0}), [1000.0], 999.99, None),
])
def test_insert_guard_agrees_with_check_bid(board, terms, earlier, price, reason, may_win):
    """The SQL guard and check_bid decide alike on the boundaries; a refused bid is never even written."""
    tender = _open_tender(board, terms)
    carrier = board.carriers[0].id
    for p in earlier:
        db.session.add(Bid(tender_id=tender.id, carrier_org_id=carrier, price=p, status="active"))
    db.session.flush()
    count = select(func.count(Bid.id)).where(Bid.tender_id == tender.id)
    if reason is None:
        bid_id, lead, version = insert_bid(tender.id, terms, carrier, price, clock.now(), may_win)
        assert lead == min(earlier) and version == tender.version and db.session.get(Bid, bid_id).price == price
    else:
        with pytest.raises(MarketRefused) as refused:
            insert_bid(tender.id, terms, carrier, price, clock.now(), may_win)
        assert refused.value.reason == reason
        assert db.session.scalar(count) == len(earlier)  # before any rollback
    db.session.rollback()


def test_insert_refuses_a_tender_closed_meanwhile(board):
    """The insert itself re-reads the tender's status under its lock: an awarded tender takes no bid."""
    tender = _open_tender(board, TERMS, status="awarded")
    with pytest.raises(MarketRefused) as refused:
        insert_bid(tender.id, TERMS, board.carriers[0].id, 1000.0, clock.now(), False)
    assert refused.value.reason == "already_awarded"
    assert db.session.scalar(select(func.count(Bid.id)).where(Bid.tender_id == tender.id)) == 0
    db.session.rollback()


def test_a_bid_on_a_warm_board_costs_three_statements(client, board, ctx, monkeypatch):
    """PostgreSQL: the token, the locked tender with its seller, and one insert that checks the rules."""
    if ctx.config["BACKEND"] != "postgis":
        pytest.skip("the round-trip budget is PostgreSQL's (SQLite takes its write lock with extra statements)")
    tender = _auction(client, board)
    a, b = board.carriers
    assert _bid(client, tender["id"], a, 1100).status_code == 201  # warms the audience cache
    statements = []
    execute = psycopg.Cursor.execute
    request_thread = threading.get_ident()

    def count(cursor, query, *args, **kwargs):  # at the driver: the hot statements bypass SQLAlchemy's events
        text = query if isinstance(query, str) else query.decode()
        # not the token's last-used stamp (once a minute) nor the pool's liveness ping (a deployment option),
        # nor the outbid notice, which the market's background sender publishes after the answer
        if threading.get_ident() == request_thread and not text.lstrip().startswith(("UPDATE api_tokens", ";")):
            statements.append(text.split()[0])
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", count)
    assert _bid(client, tender["id"], b, 1000).status_code == 201
    monkeypatch.undo()
    assert statements == ["SELECT", "SELECT", "WITH"], statements
