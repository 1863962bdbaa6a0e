"""The dock office's moves at a plant, on both backends: a late truck steps back behind the trucks booked
before its ETA, which move up; the trucks behind a no-show or a trip that never started move up."""

import uuid
from datetime import timedelta

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.broker.passwords import hash_secret
from server.extensions import db
from server.models import AuditEvent, DeviceCredential, DockAppointment, Load, Position, Vehicle, YardVisit
from server.realtime import driver_inbox
from server.yard import booking
from server.yard.eta import on_eta_changed
from server.yard.lateness import mark_no_shows
from server.yard.no_show_sweep import sweep_no_shows
from tests.server.yard.yard_factory import MONDAY, fresh, keep, make_load, make_plant

H = timedelta(hours=1)
M = timedelta(minutes=1)
PLANT = (51.43, 6.76)  # the factory's plant (lat, lon)


@pytest.fixture
def inbox(monkeypatch):
    """Messages sent to drivers' phones, as (driver_id, kind, payload)."""
    sent = []
    monkeypatch.setattr(driver_inbox, "send", lambda driver_id, kind, payload: sent.append((driver_id, kind, payload)))
    return sent


def at(hhmm: str):
    hours, minutes = map(int, hhmm.split(":"))
    return MONDAY.replace(hour=hours, minute=minutes)


def day(plant, slots: dict[str, str], dock: str = "D1") -> dict[str, Load]:
    """One load per name, each booked on ``dock`` at its local (UTC) time by the carrier at 08:00.
    Every load takes 24 minutes (20 pallets)."""
    loads = {}
    for name, hhmm in slots.items():
        load = make_load(plant, start=MONDAY + H)
        booking.book(plant.carrier.principal, db.session.get(Load, load.id), plant.docks[dock].id, at(hhmm), MONDAY)
        loads[name] = load
    return loads


def slots(loads: dict[str, Load]) -> dict[str, str | None]:
    """Each load's live slot start as HH:MM (None: none)."""
    db.session.expire_all()
    out = {}
    for name, load in loads.items():
        row = db.session.query(DockAppointment).filter(
            DockAppointment.load_id == load.id, DockAppointment.status.in_(("booked", "called", "loading"))).one_or_none()
        out[name] = row.start.strftime("%H:%M") if row else None
    return out


def told(inbox, loads) -> set[str]:
    """The loads whose driver got a re-plan or appointment message."""
    names = {load.id: name for name, load in loads.items()}
    return {names[p["load_id"]] for _, kind, p in inbox if kind in ("replan", "appointment") and p.get("load_id") in names}


def visit_of(load) -> YardVisit:
    db.session.expire_all()
    return db.session.query(YardVisit).filter_by(load_id=load.id).order_by(YardVisit.id.desc()).first()


def test_a_late_truck_steps_back_behind_the_trucks_before_its_eta_and_they_move_up(ctx, inbox):
    """L (10:00) will come at 10:40: A and B, booked between, move up 24 minutes; L takes 10:48 right after
    them; C (11:12), after L's ETA, keeps its slot. Each driver moved is told, and the moves are audited."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    loads = day(plant, {"L": "10:00", "A": "10:24", "B": "10:48", "C": "11:12"})
    inbox.clear()
    changes = on_eta_changed(loads["L"].id, at("10:40"), now=at("08:00"))
    assert slots(loads) == {"L": "10:48", "A": "10:00", "B": "10:24", "C": "11:12"}
    assert {c.load.id for c in changes} == {loads[n].id for n in "LAB"}
    assert told(inbox, loads) == {"L", "A", "B"}
    assert visit_of(loads["A"]).appointment_id == db.session.query(DockAppointment).filter_by(
        load_id=loads["A"].id, status="booked").one().id
    moved = db.session.query(AuditEvent).filter_by(action="slot.moved").count()
    assert moved == 3


def test_a_truck_too_close_to_its_slot_to_be_told_keeps_it_and_the_trucks_behind_slide(ctx, inbox):
    """At 09:56 A's slot (10:24) is under half an hour away: A stays. L (ETA 10:40) takes 10:48 on its dock
    and B and C, booked there, slide back just far enough (24 minutes each)."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    loads = day(plant, {"L": "10:00", "A": "10:24", "B": "10:48", "C": "11:12"})
    inbox.clear()
    on_eta_changed(loads["L"].id, at("10:40"), now=at("09:56"))
    assert slots(loads) == {"L": "10:48", "A": "10:24", "B": "11:12", "C": "11:36"}
    assert "A" not in told(inbox, loads)


def test_a_called_truck_never_moves(ctx, inbox):
    """A is called to the dock (frozen): it keeps 10:24 although L's time before it came free."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    loads = day(plant, {"L": "10:00", "A": "10:24", "B": "11:30"})
    row = db.session.query(DockAppointment).filter_by(load_id=loads["A"].id, status="booked").one()
    row.status, row.frozen = "called", True
    db.session.commit()
    inbox.clear()
    on_eta_changed(loads["L"].id, at("10:40"), now=at("08:00"))
    assert slots(loads) == {"L": "10:48", "A": "10:24", "B": "11:30"}
    assert told(inbox, loads) == {"L"}


def test_a_late_truck_with_a_called_truck_in_the_way_is_re_planned_by_the_engine(ctx, inbox):
    """L's place after A (10:48) is held by called B, which may not slide: the engine re-plans L after its
    ETA instead, and B keeps its slot."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    loads = day(plant, {"L": "10:00", "A": "10:24", "B": "10:48"})
    row = db.session.query(DockAppointment).filter_by(load_id=loads["B"].id, status="booked").one()
    row.status, row.frozen = "called", True
    db.session.commit()
    on_eta_changed(loads["L"].id, at("10:40"), now=at("09:56"))
    after = slots(loads)
    assert after["B"] == "10:48" and after["L"] >= "11:12"


def test_with_the_rule_off_a_late_truck_is_re_planned_by_the_engine(ctx, inbox):
    """``YARD_STEP_BACK`` off: the engine's re-plan places L after its ETA, as it did before the rule."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    loads = day(plant, {"L": "10:00", "A": "10:24", "B": "10:48", "C": "11:12"})
    ctx.config["YARD_STEP_BACK"] = False
    try:
        on_eta_changed(loads["L"].id, at("10:40"), now=at("08:00"))
    finally:
        ctx.config.pop("YARD_STEP_BACK")
    after = slots(loads)
    assert after["L"] >= "10:40" and after != {"L": "10:48", "A": "10:00", "B": "10:24", "C": "11:12"}


def test_the_trucks_behind_a_no_show_that_can_still_be_told_move_up(ctx, inbox):
    """L (09:00) never comes: at 09:31 it is a no-show. A, on site already, is called up at once (09:31);
    B, on the road, moves up to 10:01, half an hour from now, the soonest it can be told to come."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    loads = day(plant, {"L": "09:00", "A": "10:30", "B": "11:00"})
    visit = visit_of(loads["A"])
    visit.status, visit.arrived_at = "arrived", at("09:20")
    db.session.commit()
    inbox.clear()
    assert mark_no_shows(plant.site, at("09:31")) == [loads["L"].id]
    assert slots(loads) == {"L": None, "A": "09:31", "B": "10:01"}
    assert {"A", "B"} <= told(inbox, loads)
    assert mark_no_shows(plant.site, at("09:32")) == []
    assert slots(loads) == {"L": None, "A": "09:31", "B": "10:01"}


def _truck(plant, fix_at=None, where=(51.9, 6.76), speed=0.0, login=True) -> int:
    """Another truck of the plant's carrier; with a device login and a GPS fix when asked."""
    truck = keep(Vehicle(organisation_id=plant.carrier.id, vehicle_type_id=plant.truck.vehicle_type_id,
                         plate=f"DU-{uuid.uuid4().hex[:5]}"))
    if login:
        db.session.add(DeviceCredential(organisation_id=plant.carrier.id, vehicle_id=truck.id,
                                        username=f"dev-{uuid.uuid4().hex[:8]}", secret_hash=hash_secret("s3cret")))
    if fix_at is not None:
        db.session.add(Position(vehicle_id=truck.id, time=fix_at, geom=from_shape(Point(where[1], where[0]), srid=4326),
                                speed=speed, source="haul"))
    db.session.commit()
    return truck.id


def _drive(load, vehicle_id):
    row = db.session.get(Load, load.id)
    row.vehicle_id = vehicle_id
    db.session.commit()


def test_a_trip_that_never_starts_loses_its_slot_half_an_hour_ahead_and_the_trucks_behind_move_up(ctx, inbox):
    """At 09:30 L's truck shares GPS but is parked 50 km away: its 10:00 slot is released (a no-show with
    the reason no_trip) and A and B move up into it. M, on the road, and N, without GPS, keep theirs. A
    second sweep changes nothing."""
    plant = make_plant()
    loads = day(plant, {"L": "10:00", "A": "10:24", "B": "10:48"})
    loads.update(day(plant, {"M": "10:00", "N": "10:24"}, dock="D2"))
    _drive(loads["L"], _truck(plant, fix_at=at("09:25")))
    _drive(loads["M"], _truck(plant, fix_at=at("09:25"), speed=22.0))
    _drive(loads["N"], _truck(plant, login=False))
    for name in "AB":
        _drive(loads[name], _truck(plant, login=False))
    inbox.clear()
    assert sweep_no_shows(at("09:30")) == {plant.site.id: [loads["L"].id]}
    visit = visit_of(loads["L"])
    assert visit.status == "no_show" and visit.history[-1]["reason"] == "no_trip"
    assert slots(loads) == {"L": None, "A": "10:00", "B": "10:24", "M": "10:00", "N": "10:24"}
    assert {"L", "A", "B"} <= told(inbox, loads) and not {"M", "N"} & told(inbox, loads)
    assert sweep_no_shows(at("09:31")) == {}
    assert slots(loads) == {"L": None, "A": "10:00", "B": "10:24", "M": "10:00", "N": "10:24"}


def test_a_parked_truck_near_the_plant_or_with_a_stale_login_keeps_its_slot(ctx, inbox):
    """P waits 2 km from the plant (parked, a fresh fix): on its way. Q's device login is revoked: nothing
    is known of it. R's phone has not been heard of for two days. None of them is released."""
    plant = make_plant(docks=(("D1", "pallet_dock"), ("D2", "pallet_dock"), ("D3", "pallet_dock")))
    loads = day(plant, {"P": "10:00"})
    loads.update(day(plant, {"Q": "10:00"}, dock="D2"))
    loads.update(day(plant, {"R": "10:00"}, dock="D3"))
    _drive(loads["P"], _truck(plant, fix_at=at("09:26"), where=(PLANT[0] + 0.018, PLANT[1])))
    revoked = _truck(plant, fix_at=at("09:25"))
    db.session.query(DeviceCredential).filter_by(vehicle_id=revoked).update({"revoked_at": at("08:00")})
    db.session.commit()
    _drive(loads["Q"], revoked)
    _drive(loads["R"], _truck(plant, fix_at=at("09:25") - 48 * H))
    assert sweep_no_shows(at("09:30")) == {}
    assert slots(loads) == {"P": "10:00", "Q": "10:00", "R": "10:00"}


def test_a_truck_released_for_a_trip_not_started_that_comes_after_all_is_a_late_walk_in(ctx, inbox):
    """L's slot was released at 09:30; it checks in at 10:05 and is booked into the next gap from then."""
    from server.yard.gate import arrive

    plant = make_plant(docks=(("D1", "pallet_dock"),))
    loads = day(plant, {"L": "10:00", "A": "10:24"})
    _drive(loads["L"], _truck(plant, fix_at=at("09:25")))
    assert sweep_no_shows(at("09:30")) == {plant.site.id: [loads["L"].id]}
    visit = arrive(db.session.get(Load, loads["L"].id), plant.site, at("10:05"), by=None, via="gate",
                   authorization_id=None)
    assert fresh(YardVisit, visit.id).status == "arrived"
    assert slots(loads)["L"] == "10:35"  # the next gap from 10:05 on the slot grid: A moved up into 10:00
