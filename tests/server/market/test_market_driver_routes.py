"""GET /api/v1/driver/assignments: a driver's phone lists the driver's own open loads, nobody else's."""

from __future__ import annotations

from datetime import timedelta

from server.extensions import db
from server.models import Driver, Load
from tests.server.yard.yard_factory import MONDAY, add_user, keep, make_load, make_plant


def test_a_driver_sees_only_their_own_open_loads_earliest_pickup_first(ctx, client):
    plant = make_plant()
    colleague_user = add_user(plant.carrier.org_id, "carrier", roles=("driver",))
    colleague = keep(Driver(organisation_id=plant.carrier.org_id, user_id=colleague_user.user_id, name="Bo"))
    later = make_load(plant, start=MONDAY + timedelta(hours=5))
    sooner = make_load(plant, start=MONDAY + timedelta(hours=1), status="at_pickup")
    make_load(plant, status="delivered")  # done: not on today's list
    theirs = make_load(plant)
    db.session.get(Load, theirs.id).driver_id = colleague.id
    db.session.commit()

    mine = client.get("/api/v1/driver/assignments", headers=plant.driver_user.headers)
    assert mine.status_code == 200
    assert [item["id"] for item in mine.json["items"]] == [sooner.id, later.id] and mine.json["total"] == 2
    other = client.get("/api/v1/driver/assignments", headers=colleague_user.headers)
    assert [item["id"] for item in other.json["items"]] == [theirs.id]


def test_only_carrier_users_may_ask_and_each_sees_only_loads_they_drive(ctx, client):
    plant = make_plant()
    make_load(plant)
    dispatcher = client.get("/api/v1/driver/assignments", headers=plant.carrier.headers)
    assert dispatcher.status_code == 200 and dispatcher.json["items"] == []  # no driver row: nothing to drive
    assert client.get("/api/v1/driver/assignments", headers=plant.seller.headers).status_code == 403
    assert client.get("/api/v1/driver/assignments").status_code == 401
    stranger = make_plant().driver_user  # another carrier's driver
    answer = client.get("/api/v1/driver/assignments", headers=stranger.headers)
    assert answer.status_code == 200 and answer.json["items"] == []
