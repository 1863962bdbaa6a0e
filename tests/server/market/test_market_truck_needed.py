"""Issue 18: a carrier that won a load and has no truck and driver on it near the pickup is told, once."""

from datetime import timedelta

import pytest

from server import clock
from server.extensions import db
from server.market import outcomes
from server.market.tendering import sweep
from server.models import User
from tests.server.market.market_factory import make_board, make_driver, tender_body


@pytest.fixture
def board(make_party, ctx):
    return make_board(make_party, carriers=2)


def _grab(client, board, load, carrier):
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab")).get_json()
    r = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers)
    assert r.status_code == 201, r.get_json()
    assert outcomes.flush()


def _reminders(client, party) -> list[dict]:
    assert outcomes.flush()
    return client.get("/api/v1/notifications?kind=truck_needed", headers=party.headers).get_json()["items"]


def test_a_load_won_close_to_its_pickup_tells_the_winner_at_once_and_only_it(client, board):
    """Grabbed 2 h before the pickup opens: the winner is told (in its language, linking the load); nobody else."""
    carrier, other = board.carriers
    db.session.get(User, carrier.user.id).language = "zh_CN"
    db.session.commit()
    load = board.load()  # pickup opens in 2 h: inside the 12 h lead time
    _grab(client, board, load, carrier)
    (note,) = _reminders(client, carrier)
    assert note["url"] == f"/loads/{load.id}" and note["title"] == f"请为 {load.reference} 指派车辆和司机"
    assert set(note["data"]) == {"load_id", "reference", "pickup_earliest", "pickup_latest"}
    for party in (other, board.seller, board.buyer):
        assert _reminders(client, party) == []
    assert sweep(clock.now()).reminded == 0  # already told: the sweep does not repeat it
    assert len(_reminders(client, carrier)) == 1


def test_the_sweep_tells_the_carrier_once_when_the_pickup_comes_within_the_lead_time(client, board, monkeypatch):
    """Won 30 h ahead: nothing yet; 20 h later the sweep tells the carrier, and never twice."""
    carrier = board.carriers[0]
    start = clock.now()
    load = board.load(pickup_earliest=start + timedelta(hours=30), pickup_latest=start + timedelta(hours=34),
                      delivery_earliest=start + timedelta(hours=33), delivery_latest=start + timedelta(hours=60))
    _grab(client, board, load, carrier)
    assert _reminders(client, carrier) == [] and sweep(start).reminded == 0
    later = start + timedelta(hours=20)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert sweep(later).reminded == 1
    assert sweep(later + timedelta(minutes=1)).reminded == 0
    assert [n["load_id"] for n in _reminders(client, carrier)] == [load.id]


def test_a_load_with_its_truck_assigned_needs_no_reminder(client, board, monkeypatch):
    """The carrier assigned a truck and a driver before the lead time: the sweep leaves it alone."""
    carrier = board.carriers[0]
    start = clock.now()
    load = board.load(pickup_earliest=start + timedelta(hours=30), pickup_latest=start + timedelta(hours=34),
                      delivery_earliest=start + timedelta(hours=33), delivery_latest=start + timedelta(hours=60))
    _grab(client, board, load, carrier)
    driver = make_driver(carrier.id)
    r = client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers,
                    json={"vehicle_id": board.trucks[carrier.id].id, "driver_id": driver.id})
    assert r.status_code == 200, r.get_json()
    assert sweep(start + timedelta(hours=20)).reminded == 0
    assert _reminders(client, carrier) == []
