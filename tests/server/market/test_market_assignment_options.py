"""Assignment offers what fits: only trucks and drivers that can take the load, separate translated
reasons for the others, and a warning (not a refusal) to a carrier with no free suitable truck
(issue 18, defect 5). On both backends."""

from datetime import datetime, timedelta

import pytest

from server import clock
from server.db.types import utcnow
from server.extensions import db
from server.models import Load, ProofOfDelivery, User
from tests.server.market.market_factory import make_board, make_driver, make_site, make_truck, tender_body


@pytest.fixture
def board(make_party, ctx):
    return make_board(make_party, carriers=1)


def _awarded(board, carrier, **overrides):
    load = board.load(status="awarded", carrier_org_id=carrier.id, **overrides)
    return load


def _options(client, carrier, load, headers=None):
    r = client.get(f"/api/v1/loads/{load.id}/assignment-options", headers=carrier.headers | (headers or {}))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_only_trucks_that_fit_are_offered_and_the_others_say_why(client, board):
    carrier = board.carriers[0]
    fits = board.trucks[carrier.id]
    make_truck(carrier.id, equipment=("liquid_arm",), pallet_positions=0, plate="TANK-1")
    busy = make_truck(carrier.id, plate="BUSY-1")
    done = make_truck(carrier.id, plate="DONE-1")
    load = _awarded(board, carrier)
    board.load(status="in_transit", carrier_org_id=carrier.id, vehicle_id=busy.id, reference="OTHER")
    # Delivered (a proof exists) though its status was never moved on: the truck is free again.
    finished = board.load(status="in_transit", carrier_org_id=carrier.id, vehicle_id=done.id, reference="DONE")
    db.session.add(ProofOfDelivery(load_id=finished.id, signed_by="Yard", received_quantity=1,
                                   delivered_at=utcnow()))
    db.session.commit()
    body = _options(client, carrier, load)
    assert {v["id"] for v in body["vehicles"]} == {fits.id, done.id}
    reasons = {v["plate"]: [r["code"] for r in v["reasons"]] for v in body["unsuitable_vehicles"]}
    assert reasons == {"TANK-1": ["equipment", "pallets"], "BUSY-1": ["busy"]}
    tank = next(v for v in body["unsuitable_vehicles"] if v["plate"] == "TANK-1")
    assert all(m["message"].endswith(".") and " lacks " not in m["message"] for m in tank["reasons"])
    assert "OTHER" in next(v for v in body["unsuitable_vehicles"] if v["plate"] == "BUSY-1")["reasons"][0]["message"]


def test_a_truck_busy_outside_the_loads_window_is_offered(client, board):
    carrier = board.carriers[0]
    truck = board.trucks[carrier.id]
    now = utcnow()
    board.load(status="assigned", carrier_org_id=carrier.id, vehicle_id=truck.id, reference="NEXT-WEEK",
               pickup_earliest=now + timedelta(days=7), pickup_latest=now + timedelta(days=7, hours=4),
               delivery_earliest=now + timedelta(days=7, hours=5), delivery_latest=now + timedelta(days=8))
    load = _awarded(board, carrier)
    assert [v["id"] for v in _options(client, carrier, load)["vehicles"]] == [truck.id]


def test_drivers_are_offered_by_certificate_availability_and_hours(client, board):
    carrier = board.carriers[0]
    hamburg = make_site(board.buyer.id, 53.54, 9.98, name="Hamburg", kind="customer")
    ok = make_driver(carrier.id, name="Anna")
    no_cert = make_driver(carrier.id, name="Ben")
    tired = make_driver(carrier.id, name="Carl", hazmat=True)
    load = _awarded(board, carrier, delivery_site_id=hamburg.id, hazmat_classes="3")
    # Carl already drives Duisburg -> Hamburg (about 6 h) today, later on: two would pass 9 h.
    now = utcnow()
    board.load(status="delivered", carrier_org_id=carrier.id, driver_id=tired.id, delivery_site_id=hamburg.id,
               pickup_earliest=now + timedelta(hours=2), pickup_latest=now + timedelta(hours=3),
               delivery_earliest=now + timedelta(hours=3), delivery_latest=now + timedelta(hours=4))
    ok_cert = make_driver(carrier.id, name="Dora", hazmat=True)
    body = _options(client, carrier, load)
    assert [d["name"] for d in body["drivers"]] == ["Dora"]
    reasons = {d["name"]: [r["code"] for r in d["reasons"]] for d in body["unsuitable_drivers"]}
    assert reasons == {"Anna": ["hazmat"], "Ben": ["hazmat"], "Carl": ["hours"]}
    assert ok.id and no_cert.id and ok_cert.id


def test_reasons_are_in_the_callers_language(client, board):
    carrier = board.carriers[0]
    make_truck(carrier.id, equipment=("liquid_arm",), pallet_positions=0, plate="TANK-1")
    load = _awarded(board, carrier)
    db.session.get(User, carrier.user.id).language = "zh_CN"  # a token's answers are in its user's language
    db.session.commit()
    body = _options(client, carrier, load)
    messages = [r["message"] for v in body["unsuitable_vehicles"] for r in v["reasons"]]
    assert messages == ["没有托盘月台设备。", "它有 0 个托盘位；该货载需要 30 个。"]


def test_assigning_an_unsuitable_truck_names_each_reason_apart(client, board):
    carrier = board.carriers[0]
    tanker = make_truck(carrier.id, equipment=("liquid_arm",), pallet_positions=0, plate="TANK-1")
    driver = make_driver(carrier.id)
    load = _awarded(board, carrier)
    r = client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers,
                    json={"vehicle_id": tanker.id, "driver_id": driver.id})
    assert r.status_code == 422
    errors = [e for e in r.get_json()["errors"] if e["path"] == "vehicle_id"]
    assert len(errors) == 2 and all(e["message"].endswith(".") for e in errors)


def test_only_the_awarded_carrier_sees_the_options(client, board, make_party):
    other = make_party("carrier")
    load = _awarded(board, board.carriers[0])
    r = client.get(f"/api/v1/loads/{load.id}/assignment-options", headers=other.headers)
    assert r.status_code in (403, 404)


def test_a_carrier_without_a_free_suitable_truck_is_warned_before_and_after_grabbing(client, board, monkeypatch):
    """Its only truck is on another load: the board row warns, the grab succeeds and warns again."""
    carrier = board.carriers[0]
    truck = board.trucks[carrier.id]
    board.load(status="in_transit", carrier_org_id=carrier.id, vehicle_id=truck.id, reference="BUSY")
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body(radius_km=50)).get_json()
    opens = datetime.fromisoformat(tender["phase"]["open_to_all_at"])
    later = opens + timedelta(minutes=1)  # near-first is over: every qualified carrier may act
    monkeypatch.setattr(clock, "now", lambda: later)
    row = next(t for t in client.get("/api/v1/tenders", headers=carrier.headers).get_json()["items"]
               if t["id"] == tender["id"])
    assert row["fleet_warning"]
    grabbed = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers)
    assert grabbed.status_code == 201 and grabbed.get_json()["fleet_warning"]
    assert db.session.get(Load, load.id).status == "awarded"


def test_a_carrier_with_a_free_suitable_truck_gets_no_warning(client, board):
    carrier = board.carriers[0]
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body()).get_json()
    grabbed = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers).get_json()
    assert grabbed["fleet_warning"] is None


def test_the_carrier_pages_truck_dropdown_lists_only_what_fits(client, board):
    from tests.conftest import TEST_PASSWORD

    carrier = board.carriers[0]
    make_truck(carrier.id, equipment=("liquid_arm",), pallet_positions=0, plate="TANK-1")
    load = _awarded(board, carrier)
    assert client.post("/api/v1/auth/login", json={"email": carrier.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200
    page = client.get("/fragments/carrier/awards?lang=zh_CN").get_data(as_text=True)
    select = page.split(f'id="assign-{load.id}-vehicle_id"')[1].split("</select>")[0]
    assert board.trucks[carrier.id].plate in select and "TANK-1" not in select
    assert "未列出（1）" in page and "<li>没有托盘月台设备。</li>" in page
