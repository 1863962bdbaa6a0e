"""Issue 17, defect 4: one time rule. The yard queue and the Gantt read the plant's clock with its zone,
the QR caption is words on that clock, and notifications and the driver's inbox carry ISO UTC plus the zone."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server import realtime
from server.extensions import db
from server.models import DockAppointment, Load, Notification, PickupAuthorization, User, YardVisit
from server.yard import notify
from tests.conftest import _TEST_PASSWORD_HASH, TEST_PASSWORD
from tests.server.yard.yard_factory import authorize, make_load, make_plant

WINTER = datetime(2030, 12, 9, 7, 0, tzinfo=UTC)  # 08:00 in Berlin (CET)
SLOT = WINTER + timedelta(hours=1, minutes=37)    # 09:37 CET


def _plant_with_a_waiting_truck():
    plant = make_plant(timezone="Europe/Berlin")
    load = make_load(plant, start=WINTER)
    slot = DockAppointment(load_id=load.id, dock_id=plant.docks["D1"].id, start=SLOT,
                           end=SLOT + timedelta(minutes=40), status="booked")
    db.session.add(slot)
    db.session.flush()
    db.session.add(YardVisit(load_id=load.id, site_id=plant.site.id, status="arrived", arrived_at=WINTER,
                             appointment_id=slot.id, driver_id=plant.driver.id, history=[]))
    db.session.commit()
    return plant, load


def _sign_in(client, caller):
    user = db.session.get(User, caller.user_id)
    user.password_hash = _TEST_PASSWORD_HASH
    db.session.commit()
    answer = client.post("/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD})
    assert answer.status_code == 200


def _html(client, path, **headers):
    answer = client.get(path, headers={"Accept": "text/html", **headers})
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_the_yard_queue_and_the_gantt_show_the_same_plant_time_with_its_zone(ctx, client):
    plant, load = _plant_with_a_waiting_truck()
    _sign_in(client, plant.seller)

    gantt = _html(client, f"/fragments/docks/{plant.site.id}?day=2030-12-09")
    queue = _html(client, f"/fragments/queue/{plant.site.id}")
    assert f"{load.reference} 09:37" in gantt and "(Europe/Berlin)" in gantt
    assert "D1 09:37 CET" in queue and "08:37" not in queue


def test_the_load_page_shows_the_slot_on_the_plants_clock(ctx, client):
    plant, load = _plant_with_a_waiting_truck()
    _sign_in(client, plant.seller)
    yard = _html(client, f"/fragments/loads/{load.id}/yard")
    assert "2030-12-09 09:37 CET – 10:17 CET" in yard and "UTC" not in yard


def test_the_load_facts_read_the_pickup_window_on_the_plants_clock(ctx, client):
    plant, load = _plant_with_a_waiting_truck()
    _sign_in(client, plant.seller)
    facts = _html(client, f"/fragments/loads/{load.id}/facts")
    assert "2030-12-09 08:00 CET – 12:00 CET" in facts


def test_the_qr_caption_says_where_when_on_the_plants_clock_and_which_truck(ctx, client, app):
    plant, load = _plant_with_a_waiting_truck()
    authorize(app, plant, load)
    row_id = db.session.scalar(select(PickupAuthorization.id).where(PickupAuthorization.load_id == load.id))
    english = client.get(f"/api/v1/pickup-authorizations/{row_id}", headers=plant.buyer.headers).get_json()
    assert english["caption"] == "Pickup at Plant, 9 Dec 09:37 CET, truck DU-AB 123"
    db.session.get(User, plant.buyer.user_id).language = "zh_CN"  # a token's answers are in its user's language
    db.session.commit()
    chinese = client.get(f"/api/v1/pickup-authorizations/{row_id}", headers=plant.buyer.headers).get_json()
    assert chinese["caption"] == "在 Plant 提货，12月9日 09:37 CET，车辆 DU-AB 123"


@pytest.fixture
def inbox(monkeypatch):
    sent = []
    monkeypatch.setattr(realtime.driver_inbox, "send",
                        lambda driver_id, kind, payload: sent.append((driver_id, kind, payload)) or True)
    return sent


def test_notifications_and_the_drivers_inbox_carry_iso_utc_and_the_site_zone(ctx, inbox):
    plant, load = _plant_with_a_waiting_truck()
    slot = db.session.scalar(select(DockAppointment).where(DockAppointment.load_id == load.id))
    notify.appointment_changed(db.session.get(Load, load.id), slot, None, "booked")

    note = db.session.scalar(select(Notification).where(Notification.organisation_id == plant.carrier.id,
                                                        Notification.kind == "dock_scheduled"))
    data = note.payload["data"]
    assert data["site_timezone"] == "Europe/Berlin"
    assert data["appointment"]["start"] == "2030-12-09T08:37:00+00:00"
    assert data["appointment"]["start_local"] == "2030-12-09T09:37:00+01:00"
    (driver_id, kind, payload), = inbox
    assert (driver_id, kind) == (plant.driver.id, "appointment") and payload["site_timezone"] == "Europe/Berlin"
    assert payload["appointment"]["timezone"] == "Europe/Berlin"


def test_pages_carry_refusal_reasons_and_equipment_in_chinese_with_one_word_for_a_dock(ctx, client):
    plant, _ = _plant_with_a_waiting_truck()
    _sign_in(client, plant.seller)
    page = _html(client, "/seller?lang=zh_CN")
    strings = json.loads(re.search(r'<script type="application/json" id="haul-strings">(.*?)</script>', page,
                                   re.S).group(1))
    assert strings["reason.revoked"] == "买方已撤销该授权。"
    assert strings["reason.bad_assignment"] == "该车辆或司机无法承运这票货。"
    gantt = _html(client, f"/fragments/docks/{plant.site.id}?day=2030-12-09")
    assert "托盘月台" in gantt and "液体装车鹤管" in gantt and "装卸口" not in page + gantt
