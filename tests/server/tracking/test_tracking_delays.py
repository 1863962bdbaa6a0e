"""Issue 18: a load whose ETA moves past its window tells its parties once per crossing, in their language,
and on a multi-drop load only the buyer of the late stop."""

from datetime import timedelta

from gps_ingest.model import Event as IngestEvent
from server import clock
from server.extensions import db
from server.models import Load, LoadStop, User
from server.tracking.delays import crossed
from server.tracking.events import LoadEventRecorder
from server.yard.arrivals import YardFromIngest
from server.yard.eta import on_eta_changed
from tests.server.market.market_factory import make_board, make_truck
from tests.server.stops.multi_drop_factory import two_buyer_load


def _delays(client, party) -> list[dict]:
    return client.get("/api/v1/notifications?kind=delayed", headers=party.headers).get_json()["items"]


def _on_the_road(load_id: int, carrier_id: int, status: str = "in_transit") -> int:
    truck = make_truck(carrier_id)
    load = db.session.get(Load, load_id)
    load.status, load.carrier_org_id, load.vehicle_id = status, carrier_id, truck.id
    db.session.commit()
    return truck.id


def _eta(recorder, truck_id: int, site_id: int, eta) -> None:
    recorder.publish_event(IngestEvent(str(truck_id), "eta_changed", clock.now(), str(site_id),
                                       {"eta": eta.isoformat()}))
    assert recorder.yard_failed == 0


def test_crossing_is_leaving_the_window_not_staying_out_of_it():
    end = clock.now()
    assert crossed(None, end + timedelta(minutes=1), end) and crossed(end, end + timedelta(minutes=1), end)
    assert not crossed(end + timedelta(minutes=1), end + timedelta(hours=1), end)
    assert not crossed(None, end, end) and not crossed(end, None, end)


def test_a_late_delivery_eta_tells_seller_and_buyer_once_per_crossing(ctx, client, make_party):
    """Fixes inside the window are silent; the first one after it tells seller and buyer (the buyer in Chinese);
    the next late fixes are silent; back inside and out again is a second crossing."""
    board = make_board(make_party, carriers=1)
    carrier = board.carriers[0]
    db.session.get(User, board.buyer.user.id).language = "zh_CN"
    db.session.commit()
    load = board.load()
    truck = _on_the_road(load.id, carrier.id)
    recorder = LoadEventRecorder(db.engine, yard=YardFromIngest(ctx))
    latest = load.delivery_latest
    _eta(recorder, truck, board.yard.id, latest - timedelta(hours=1))
    assert _delays(client, board.seller) == []
    for late in (latest + timedelta(minutes=20), latest + timedelta(minutes=40), latest + timedelta(hours=1)):
        _eta(recorder, truck, board.yard.id, late)
    (note,) = _delays(client, board.seller)
    assert note["url"] == f"/loads/{load.id}" and note["data"]["at"] == "delivery"
    assert note["title"] == f"{load.reference} is running late: ETA after the delivery window"
    (zh,) = _delays(client, board.buyer)
    assert zh["title"] == f"{load.reference} 将会延误：预计到达时间晚于交货时间窗"
    assert _delays(client, carrier) == []
    db.session.expire_all()
    assert db.session.get(Load, load.id).eta == latest + timedelta(hours=1)
    _eta(recorder, truck, board.yard.id, latest - timedelta(minutes=5))
    _eta(recorder, truck, board.yard.id, latest + timedelta(minutes=5))
    assert len(_delays(client, board.seller)) == 2 and len(_delays(client, board.buyer)) == 2


def test_a_late_pickup_eta_is_told_as_a_pickup_delay(ctx, client, make_party):
    """The yard stores an ETA to the pickup after the pickup window: seller and buyer hear of a late pickup."""
    board = make_board(make_party, carriers=1)
    load = board.load()
    _on_the_road(load.id, board.carriers[0].id, status="assigned")
    on_eta_changed(load.id, load.pickup_latest + timedelta(minutes=30))
    on_eta_changed(load.id, load.pickup_latest + timedelta(minutes=45))
    (note,) = _delays(client, board.buyer)
    assert note["data"]["at"] == "pickup" and note["title"].endswith("ETA after the pickup window")
    zh = client.get("/api/v1/notifications?kind=delayed&lang=zh_CN", headers=board.buyer.headers).get_json()
    assert zh["items"][0]["title"] == f"{load.reference} 将会延误：预计到达时间晚于提货时间窗"
    assert len(_delays(client, board.seller)) == 1


def test_a_late_stop_on_a_multi_drop_load_is_told_to_its_own_buyer_only(ctx, client, trade, make_party):
    """The truck is late for buyer B's stop: the seller and buyer B hear it, buyer A (also on the load) does not."""
    multi = two_buyer_load(client, trade, make_party)
    carrier = make_party("carrier")
    truck = _on_the_road(multi["load_id"], carrier.id)
    stop_b = db.session.query(LoadStop).filter_by(load_id=multi["load_id"], buyer_org_id=multi["buyer_b"].id).one()
    recorder = LoadEventRecorder(db.engine, yard=YardFromIngest(ctx))
    _eta(recorder, truck, multi["yard_b"], stop_b.latest + timedelta(hours=2))
    (note,) = _delays(client, multi["buyer_b"])
    assert note["data"]["stop_id"] == stop_b.id and note["url"] == f"/loads/{multi['load_id']}"
    assert len(_delays(client, multi["seller"])) == 1
    assert _delays(client, multi["buyer_a"]) == []
    db.session.expire_all()
    assert db.session.get(LoadStop, stop_b.id).eta == stop_b.latest + timedelta(hours=2)
    seen = client.get(f"/api/v1/loads/{multi['load_id']}", headers=multi["buyer_b"].headers).get_json()
    assert seen["eta"] is not None
