"""A driver's user gets its own load's notifications (and no one else's), in its language, live and by e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.extensions import db, socketio
from server.models import Driver, EmailMessage, EmailSettings, Load, Notification, User
from server.notify import shipment_notices
from server.notify.publish import publish_event
from server.yard import gate
from server.yard.refusals import YardRefused
from tests.server.market.market_factory import make_board, tender_body
from tests.server.yard.yard_factory import MONDAY, add_user, authorize, keep, make_load, make_plant

H = timedelta(hours=1)


def _items(client, caller, **query) -> list[dict]:
    answer = client.get("/api/v1/notifications", headers=caller.headers, query_string={"limit": 100, **query})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


def _driver_with_user(carrier_id: int, name: str = "Ben"):
    """A second driver of the carrier with its own driver-only login."""
    login = add_user(carrier_id, "carrier", roles=("driver",))
    driver = keep(Driver(organisation_id=carrier_id, user_id=login.user_id, name=name))
    return driver, login


def _speaks(user_id: int, language: str) -> None:
    db.session.execute(update(User).where(User.id == user_id).values(language=language))
    db.session.commit()


def _own_rows(user_id: int | None = None) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).where(Notification.user_id.is_not(None))
    if user_id is not None:
        query = query.where(Notification.user_id == user_id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_driver_user_gets_only_its_loads_yard_news_and_the_office_keeps_the_shared_ones(ctx, client):
    """Slot booked and moved, called, slot missed: the load's driver gets one own row each; another driver and
    a load without a driver get none; the carrier's office still reads the organisation's rows."""
    plant = make_plant()
    other_driver, other_login = _driver_with_user(plant.carrier.id)
    mine = make_load(plant)
    theirs = make_load(plant, assigned=False)
    db.session.execute(update(Load).where(Load.id == theirs.id).values(driver_id=other_driver.id))
    db.session.commit()
    unassigned = make_load(plant, assigned=False)
    site_org = plant.site.organisation_id
    for load in (db.session.get(Load, mine.id), db.session.get(Load, unassigned.id)):
        shipment_notices.slot_changed(load, site_org, "booked", MONDAY + H, {"appointment": {"dock_name": "D1"}})
        shipment_notices.slot_changed(load, site_org, "moved", MONDAY + 2 * H)
        for status in ("arrived", "called", "loading", "no_show"):
            shipment_notices.visit_step(load, site_org, status)
    own = _items(client, plant.driver_user)
    assert [n["kind"] for n in own] == ["slot_missed", "called", "dock_rescheduled", "dock_scheduled"]
    assert {n["load_id"] for n in own} == {mine.id}
    assert own[-1]["data"]["appointment"] == {"dock_name": "D1"} and own[-1]["url"] == f"/loads/{mine.id}"
    assert _items(client, other_login) == []
    office = [n["kind"] for n in _items(client, plant.carrier)]
    assert office.count("called") == 2 and office.count("dock_scheduled") == 2  # both loads, shared rows only
    assert all(n["load_id"] in (mine.id, unassigned.id) for n in _items(client, plant.carrier))
    assert {row.organisation_id for row in _own_rows()} == {plant.carrier.id}


def test_driver_without_a_user_gets_no_own_row(ctx):
    """A driver known only by name (a paired phone, no login) produces no per-user notification."""
    plant = make_plant()
    nameless = keep(Driver(organisation_id=plant.carrier.id, name="No login"))
    load = make_load(plant, assigned=False)
    db.session.execute(update(Load).where(Load.id == load.id).values(driver_id=nameless.id))
    db.session.commit()
    shipment_notices.visit_step(db.session.get(Load, load.id), plant.site.organisation_id, "called")
    assert _own_rows() == []
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "called")) is not None


def test_gate_refusal_reaches_the_driver_in_its_language(ctx, client):
    """A refused check-in is an ``exception`` at the gate; the driver reads it in Chinese, an English reader as before."""
    plant = make_plant()
    _speaks(plant.driver_user.user_id, "zh_CN")
    load = make_load(plant)
    token = authorize(ctx, plant, load, expires=MONDAY - timedelta(minutes=1))
    with pytest.raises(YardRefused):
        gate.check_in(plant.driver_user.principal, db.session.get(Load, load.id), token, MONDAY)
    [note] = _items(client, plant.driver_user)
    assert note["kind"] == "exception" and note["data"]["reason"] == "expired" and note["data"]["at"] == "gate"
    assert note["title"] == f"{load.reference} 在门岗被拒绝入场"
    office = _items(client, plant.carrier, kind="exception")
    assert [n["title"] for n in office] == [f"Refused at the gate: {load.reference}"]
    assert _items(client, plant.driver_user, lang="en")[0]["title"] == f"Refused at the gate: {load.reference}"


def test_assignment_and_authorization_tell_the_driver_without_prices(ctx, client, make_party):
    """Put on a load, authorized, then swapped for another driver: each driver reads only its own news,
    without the price or the buyer's re-authorization link; the office never sees the drivers' rows."""
    board = make_board(make_party, carriers=1)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab")).get_json()
    [carrier] = board.carriers
    assert client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers).status_code == 201
    first, first_login = _driver_with_user(carrier.id, "Ana")
    second, second_login = _driver_with_user(carrier.id, "Ben")
    _speaks(first_login.user_id, "zh_CN")
    truck = board.trucks[carrier.id].id

    def assign(driver_id):
        answer = client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers,
                             json={"vehicle_id": truck, "driver_id": driver_id})
        assert answer.status_code == 200, answer.get_json()

    assign(first.id)
    assign(first.id)  # the same pair again is no news
    auth = client.post(f"/api/v1/loads/{load.id}/pickup-authorizations", headers=board.buyer.headers, json={})
    assert auth.status_code == 201, auth.get_json()
    assign(second.id)
    firsts = _items(client, first_login)
    assert [n["kind"] for n in firsts] == ["driver_unassigned", "authorized", "driver_assigned"]
    assert firsts[-1]["title"].startswith("您驾驶") and load.reference in firsts[-1]["title"]
    seconds = [n["kind"] for n in _items(client, second_login)]
    assert seconds == ["driver_assigned", "authorization_withdrawn"]
    for note in firsts + _items(client, second_login):
        assert note["load_id"] == load.id
        assert not {"price", "reauthorize_url", "driver_id", "new_driver_id"} & set(note["data"])
    office = [n["kind"] for n in _items(client, carrier)]
    assert "authorized" in office and not {"driver_assigned", "driver_unassigned"} & set(office)
    assert client.get("/api/v1/notifications?kind=driver_assigned", headers=carrier.headers).get_json()["total"] == 0


def test_own_rows_go_to_the_users_socket_room_only(ctx):
    """A driver's own row is pushed to that user's sockets, never to the office's organisation room."""
    plant = make_plant()
    driver_socket = socketio.test_client(ctx, auth={"token": plant.driver_user.token})
    office_socket = socketio.test_client(ctx, auth={"token": plant.carrier.token})
    load = make_load(plant, assigned=False)
    shipment_notices.driver_assigned(db.session.get(Load, load.id), plant.driver.id, {"plate": "DU-AB 123"})
    to_driver = [m["args"][0] for m in driver_socket.get_received() if m["name"] == "notification"]
    assert [n["kind"] for n in to_driver] == ["driver_assigned"]
    assert not [m for m in office_socket.get_received() if m["name"] == "notification"]


def test_driver_kinds_are_never_told_to_an_organisation(ctx):
    """``driver_assigned`` with organisations is refused (logged, nothing stored): it is the driver's alone."""
    plant = make_plant()
    assert publish_event("driver_assigned", organisation_ids=[plant.carrier.id], driver_id=plant.driver.id) is None
    assert db.session.scalar(select(Notification.id)) is None


def test_driver_own_row_is_mailed_by_the_drivers_own_choices(ctx, client, monkeypatch):
    """With SMTP on, the driver's own row is queued for the driver (who chose ``called`` and its own kinds);
    the office's dispatchers get the organisation's row, and the driver is not mailed the office's."""
    monkeypatch.setitem(ctx.config, "HAUL_SMTP_HOST", "127.0.0.1")
    plant = make_plant()
    chosen = client.put("/api/v1/email-settings", headers=plant.driver_user.headers,
                        json={"enabled": True, "mode": "immediate", "kinds": ["called", "driver_assigned"]})
    assert chosen.status_code == 200, chosen.get_json()
    db.session.add(EmailSettings(user_id=plant.carrier.user_id, enabled=True, mode="immediate", kinds=["called"],
                                 created_at=MONDAY))
    db.session.commit()
    load = make_load(plant)
    shipment_notices.visit_step(db.session.get(Load, load.id), plant.site.organisation_id, "called")
    db.session.expire_all()
    mails = {row.user_id: row.notification_id for row in db.session.scalars(select(EmailMessage))}
    [own] = _own_rows(plant.driver_user.user_id)
    assert mails[plant.driver_user.user_id] == own.id
    assert db.session.get(Notification, mails[plant.carrier.user_id]).user_id is None
